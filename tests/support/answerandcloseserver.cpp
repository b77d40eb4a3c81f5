// SPDX-License-Identifier: MIT
#include "support/answerandcloseserver.h"

#include <QMutexLocker>
#include <QTcpSocket>
#include <QTimer>

#include <memory>

namespace Clickscope::Testing {

AnswerAndCloseServer::AnswerAndCloseServer(QByteArray response) : m_response(std::move(response)) {}

bool AnswerAndCloseServer::listen()
{
    return m_server.listen([this](QTcpSocket *socket) {
        auto request = std::make_shared<QByteArray>();
        QObject::connect(socket, &QTcpSocket::readyRead, socket, [this, socket, request] {
            *request += socket->readAll();
            if (!request->contains("\r\n\r\n") || socket->property("answered").toBool())
                return;
            socket->setProperty("answered", true);
            {
                const QList<QByteArray> requestLine = request->left(request->indexOf('\r')).split(' ');
                QMutexLocker lock(&m_mutex);
                m_targets.append(requestLine.value(1));
            }
            socket->write(m_response);
            // Closed on the next turn of the loop, so that the end usually travels apart from the
            // answer, as from a server that flushes and then closes.
            QTimer::singleShot(0, socket, [socket] { socket->disconnectFromHost(); });
        });
    });
}

QUrl AnswerAndCloseServer::url(const QString &path) const
{
    return QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(m_server.port()).arg(path));
}

int AnswerAndCloseServer::requestsTo(const QByteArray &path) const
{
    QMutexLocker lock(&m_mutex);
    return int(
        std::count_if(m_targets.cbegin(), m_targets.cend(), [&](const QByteArray &t) { return t.startsWith(path); }));
}

}   // namespace Clickscope::Testing
