// SPDX-License-Identifier: MIT
#pragma once

#include "core/nats/natstarget.h"

#include <QByteArray>
#include <QList>
#include <QProcess>
#include <QStringList>
#include <QTemporaryDir>
#include <QUrl>

#include <optional>

namespace Clickscope::Testing {

// A real nats-server for one test: on 127.0.0.1, a free port, JetStream on (unless told
// otherwise) with its files in a temporary folder; killed when this object goes (and by itself
// after kLifetimeSeconds, should the test process die first). The rest is a small blocking client
// for the test's own requests, each bounded to 10 s.
class NatsServer
{
public:
    static constexpr int kLifetimeSeconds = 600;

    // `extraArguments` go to nats-server, e.g. {"--auth", "secret"}.
    explicit NatsServer(QStringList extraArguments = {}, bool jetStream = true);
    ~NatsServer();
    NatsServer(const NatsServer &) = delete;
    NatsServer &operator=(const NatsServer &) = delete;

    // Starts it (on the port it had, after a kill) and waits until it greets a client; false (with
    // the reason in errorString()) if it did not within 10 s.
    bool start();
    void kill();
    quint16 port() const { return m_port; }
    QString errorString() const { return m_error; }
    // nats://USERINFO@127.0.0.1:PORT/PATH (PATH without its leading slash; no USERINFO@ if empty).
    QUrl url(const QString &path, const QString &userInfo = {}) const;
    // How the test's own requests connect, as a source URL says it (credentials, tls=…); its
    // subject is ignored. False when the URL is not a NATS one.
    bool setClient(const QUrl &url);

    // Core NATS: publishes each payload on `subject`; true once the server has taken them all.
    bool publish(const QByteArray &subject, const QList<QByteArray> &payloads) const;
    // Makes the JetStream stream `name` over `subjects` (kept in memory).
    bool createStream(const QByteArray &name, const QByteArray &subjects) const;
    // Publishes each payload into JetStream and waits for every acknowledgement: the stream
    // sequences in order, or nullopt when one failed.
    std::optional<QList<quint64>> publishToStream(const QByteArray &subject, const QList<QByteArray> &payloads) const;
    // The client connections subscribed to exactly `subject` (from the server's monitoring
    // endpoint), or -1 when it could not be asked.
    int subscribers(const QByteArray &subject) const;
    // A request and its answer's payload.
    std::optional<QByteArray> request(const QByteArray &subject, const QByteArray &payload) const;

private:
    // Sends `commands` after CONNECT and collects the answers on subscription "r" until `count`
    // came (with count 0, until the PONG after the commands).
    std::optional<QList<QByteArray>> exchange(const QByteArray &commands, int count) const;

    QStringList m_arguments;
    bool m_jetStream;
    QTemporaryDir m_dir;
    QProcess m_process;
    quint16 m_port = 0;
    quint16 m_monitorPort = 0;
    NatsTarget m_client;
    QString m_error;
};

}   // namespace Clickscope::Testing
