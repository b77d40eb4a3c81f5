// SPDX-License-Identifier: MIT
#include "support/redisserver.h"

#include "support/ports.h"

#include <QElapsedTimer>
#include <QHostAddress>
#include <QTcpSocket>
#include <QTest>

namespace Clickscope::Testing {

RedisServer::RedisServer(QStringList extraArguments) : m_arguments(std::move(extraArguments)) {}

RedisServer::~RedisServer() { kill(); }

void RedisServer::kill()
{
    if (m_process.state() == QProcess::NotRunning)
        return;
    // `timeout` passes a TERM on to redis-server (a KILL would leave redis-server running).
    m_process.terminate();
    if (!m_process.waitForFinished(10'000)) {
        m_process.kill();
        m_process.waitForFinished();
    }
}

bool RedisServer::start()
{
    if (!m_dir.isValid()) {
        m_error = QStringLiteral("no temporary folder");
        return false;
    }
    // A port that was free a moment ago may be taken by the time redis-server binds it: then
    // it exits at once, and another port is tried.
    for (int attempt = 0; attempt < 5; ++attempt) {
        m_port = unusedPort();
        QStringList arguments{QStringLiteral("--port"),       QString::number(m_port),
                              QStringLiteral("--bind"),       QStringLiteral("127.0.0.1"),
                              QStringLiteral("--save"),       QString(),
                              QStringLiteral("--appendonly"), QStringLiteral("no"),
                              QStringLiteral("--dir"),        m_dir.path(),
                              QStringLiteral("--logfile"),    m_dir.filePath(QStringLiteral("redis.log"))};
        arguments += m_arguments;
        m_process.start(QStringLiteral("timeout"),
                        QStringList{QString::number(kLifetimeSeconds), QStringLiteral("redis-server")} + arguments);
        if (!m_process.waitForStarted()) {
            m_error = QStringLiteral("redis-server did not start: %1").arg(m_process.errorString());
            return false;
        }
        QElapsedTimer waited;
        waited.start();
        while (waited.elapsed() < 10'000 && m_process.state() == QProcess::Running) {
            QTcpSocket probe;
            probe.connectToHost(QHostAddress::LocalHost, m_port);
            if (probe.waitForConnected(1000)) {
                probe.write(respCommand({"PING"}));
                // Without a password PING says PONG; with one, NOAUTH: either way it is serving.
                if (probe.waitForReadyRead(2000) && !probe.readAll().isEmpty())
                    return true;
            }
            QTest::qWait(20);
        }
        kill();
    }
    m_error = QStringLiteral("redis-server did not answer on a free port");
    return false;
}

QUrl RedisServer::url(const QString &path, const QString &userInfo) const
{
    const QString credentials = userInfo.isEmpty() ? QString() : userInfo + u'@';
    return QUrl(QStringLiteral("redis://") + credentials + QStringLiteral("127.0.0.1:%1/").arg(m_port) + path);
}

std::optional<QList<RespValue>> RedisServer::pipeline(const QList<QByteArray> &commands, const QByteArray &auth) const
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, m_port);
    if (!socket.waitForConnected(10'000))
        return std::nullopt;
    QByteArray out;
    if (!auth.isEmpty())
        out += respCommand({"AUTH", auth});
    for (const QByteArray &command : commands)
        out += command;
    socket.write(out);
    RespReader reader;
    QList<RespValue> replies;
    bool authReplySkipped = auth.isEmpty();
    QElapsedTimer waited;
    waited.start();
    while (replies.size() < commands.size()) {
        if (waited.elapsed() > 10'000 || !socket.waitForReadyRead(10'000))
            return std::nullopt;
        reader.feed(socket.readAll());
        while (std::optional<RespValue> reply = reader.next()) {
            if (!authReplySkipped)
                authReplySkipped = true;
            else
                replies.append(std::move(*reply));
        }
        if (reader.failed())
            return std::nullopt;
    }
    return replies;
}

std::optional<RespValue> RedisServer::command(std::initializer_list<QByteArrayView> parts, const QByteArray &auth) const
{
    std::optional<QList<RespValue>> replies = pipeline({respCommand(parts)}, auth);
    if (!replies)
        return std::nullopt;
    return replies->constFirst();
}

}   // namespace Clickscope::Testing
