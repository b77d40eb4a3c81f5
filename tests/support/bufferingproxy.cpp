// SPDX-License-Identifier: MIT
#include "support/bufferingproxy.h"

#include <QTcpSocket>
#include <QTimer>

#include <memory>
#include <utility>

namespace Clickscope::Testing {

BufferingProxy::BufferingProxy(quint16 upstreamPort, int flushMs) : m_upstreamPort(upstreamPort), m_flushMs(flushMs) {}

QUrl BufferingProxy::through(QUrl url) const
{
    url.setPort(port());
    return url;
}

bool BufferingProxy::listen()
{
    return m_server.listen([this](QTcpSocket *client) {
        // Both children of the client socket: they go when it disconnects.
        auto *upstream = new QTcpSocket(client);
        auto *flush = new QTimer(client);
        auto held = std::make_shared<QByteArray>();
        auto sentFirst = std::make_shared<bool>(false);
        flush->setInterval(m_flushMs);
        flush->setTimerType(Qt::PreciseTimer);   // bursts as far apart as asked, not ±5 %
        const auto pass = [client, held] {
            if (!held->isEmpty())
                client->write(std::exchange(*held, {}));
        };
        QObject::connect(flush, &QTimer::timeout, client, pass);
        auto request = std::make_shared<QByteArray>();   // until the upstream connection is up
        const auto forward = [client, upstream, request] {
            *request += client->readAll();
            if (upstream->state() == QAbstractSocket::ConnectedState && !request->isEmpty())
                upstream->write(std::exchange(*request, {}));
        };
        QObject::connect(client, &QTcpSocket::readyRead, client, forward);
        QObject::connect(upstream, &QTcpSocket::connected, client, forward);
        QObject::connect(upstream, &QTcpSocket::readyRead, client, [upstream, held, sentFirst, flush, pass] {
            *held += upstream->readAll();
            if (!*sentFirst) {
                *sentFirst = true;
                pass();
                flush->start();
            }
        });
        QObject::connect(upstream, &QTcpSocket::disconnected, client, [client, pass] {
            pass();
            client->disconnectFromHost();
        });
        QObject::connect(client, &QTcpSocket::disconnected, upstream, [upstream] { upstream->abort(); });
        upstream->connectToHost(QHostAddress::LocalHost, m_upstreamPort);
    });
}

}   // namespace Clickscope::Testing
