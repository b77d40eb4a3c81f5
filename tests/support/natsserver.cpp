// SPDX-License-Identifier: MIT
#include "support/natsserver.h"

#include "core/nats/natshandshake.h"
#include "core/nats/natsreader.h"
#include "support/ports.h"

#include <QElapsedTimer>
#include <QFile>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSslSocket>
#include <QTcpSocket>
#include <QTest>

#include <algorithm>
#include <utility>

namespace Clickscope::Testing {
namespace {

constexpr int kWaitMs = 10'000;

}   // namespace

NatsServer::NatsServer(QStringList extraArguments, bool jetStream)
    : m_arguments(std::move(extraArguments))
    , m_jetStream(jetStream)
{}

NatsServer::~NatsServer() { kill(); }

void NatsServer::kill()
{
    if (m_process.state() == QProcess::NotRunning)
        return;
    // `timeout` passes a TERM on to nats-server (a KILL would leave nats-server running).
    m_process.terminate();
    if (!m_process.waitForFinished(kWaitMs)) {
        m_process.kill();
        m_process.waitForFinished();
    }
}

bool NatsServer::start()
{
    if (!m_dir.isValid()) {
        m_error = QStringLiteral("no temporary folder");
        return false;
    }
    // A port that was free a moment ago may be taken by the time nats-server binds it: then it
    // exits at once, and another port is tried (a restart keeps its port: clients come back there).
    const bool restart = m_port != 0;
    for (int attempt = 0; attempt < 5; ++attempt) {
        if (!restart) {
            m_port = unusedPort();
            m_monitorPort = unusedPort();
        }
        QStringList arguments{QStringLiteral("-a"), QStringLiteral("127.0.0.1"),
                              QStringLiteral("-p"), QString::number(m_port),
                              QStringLiteral("-m"), QString::number(m_monitorPort),
                              QStringLiteral("-l"), m_dir.filePath(QStringLiteral("nats.log"))};
        if (m_jetStream)
            arguments += {QStringLiteral("-js"), QStringLiteral("-sd"), m_dir.filePath(QStringLiteral("js"))};
        arguments += m_arguments;
        m_process.start(QStringLiteral("timeout"),
                        QStringList{QString::number(kLifetimeSeconds), QStringLiteral("nats-server")} + arguments);
        if (!m_process.waitForStarted()) {
            m_error = QStringLiteral("nats-server did not start: %1").arg(m_process.errorString());
            return false;
        }
        QElapsedTimer waited;
        waited.start();
        while (waited.elapsed() < kWaitMs && m_process.state() == QProcess::Running) {
            QTcpSocket probe;
            probe.connectToHost(QHostAddress::LocalHost, m_port);
            if (probe.waitForConnected(1000) && probe.waitForReadyRead(2000) && probe.readAll().startsWith("INFO "))
                return true;
            QTest::qWait(20);
        }
        kill();
    }
    QFile log(m_dir.filePath(QStringLiteral("nats.log")));
    const QByteArray said = log.open(QIODevice::ReadOnly) ? log.readAll().right(3000) : QByteArray();
    m_error = QStringLiteral("nats-server did not answer on a free port; it said: %1 %2")
                  .arg(QString::fromUtf8(said), QString::fromUtf8(m_process.readAllStandardError().right(600)));
    return false;
}

QUrl NatsServer::url(const QString &path, const QString &userInfo) const
{
    const QString credentials = userInfo.isEmpty() ? QString() : userInfo + u'@';
    return QUrl(QStringLiteral("nats://") + credentials + QStringLiteral("127.0.0.1:%1/").arg(m_port) + path);
}

bool NatsServer::setClient(const QUrl &url)
{
    QUrl withSubject = url;
    withSubject.setPath(QStringLiteral("/test"));
    Result<NatsTarget> client = NatsTarget::fromUrl(withSubject);
    if (!client || !client->loadFiles())
        return false;
    m_client = std::move(*client);
    return true;
}

std::optional<QList<QByteArray>> NatsServer::exchange(const QByteArray &commands, int count) const
{
    QSslSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, m_port);
    if (!socket.waitForConnected(kWaitMs))
        return std::nullopt;
    NatsReader reader;
    NatsHandshake handshake(m_client);
    QList<QByteArray> answers;
    QElapsedTimer waited;
    waited.start();
    while (waited.elapsed() < kWaitMs && socket.waitForReadyRead(kWaitMs)) {
        reader.feed(socket.readAll());
        while (std::optional<NatsOp> op = reader.next()) {
            const Result<bool> taken = handshake.take(*op, socket, reader);
            if (!taken)
                return std::nullopt;
            if (*taken) {
                if (handshake.step() == NatsHandshake::Step::Tls && !socket.waitForEncrypted(kWaitMs))
                    return std::nullopt;
                socket.write(handshake.hello() + NatsCommand::subscribe("_INBOX.test.>", "r") + commands
                             + NatsCommand::ping());
                continue;
            }
            if (op->type == NatsOp::Type::Err)
                return std::nullopt;
            if (op->type == NatsOp::Type::Ping)
                socket.write(NatsCommand::pong());
            if (op->type == NatsOp::Type::Pong && count == 0)
                return answers;
            if (op->type == NatsOp::Type::Msg && op->sid == "r") {
                answers.append(op->status() == 503 ? QByteArray(R"({"error":"no responders"})") : op->payload);
                if (answers.size() == count)
                    return answers;
            }
        }
        if (reader.failed())
            return std::nullopt;
    }
    return std::nullopt;
}

int NatsServer::subscribers(const QByteArray &subject) const
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, m_monitorPort);
    if (!socket.waitForConnected(kWaitMs))
        return -1;
    socket.write("GET /connz?subs=1&limit=1000 HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n");
    QByteArray response;
    QElapsedTimer waited;
    waited.start();
    // HTTP/1.0: the answer ends when the server closes.
    while (waited.elapsed() < kWaitMs && socket.state() == QAbstractSocket::ConnectedState
           && socket.waitForReadyRead(kWaitMs))
        response += socket.readAll();
    response += socket.readAll();
    const qsizetype body = response.indexOf("\r\n\r\n");
    if (body < 0)
        return -1;
    int count = 0;
    const QJsonArray connections =
        QJsonDocument::fromJson(response.mid(body + 4)).object().value(u"connections").toArray();
    for (const QJsonValue &connection : connections) {
        if (connection.toObject().value(u"subscriptions_list").toArray().contains(QString::fromUtf8(subject)))
            ++count;
    }
    return count;
}

bool NatsServer::publish(const QByteArray &subject, const QList<QByteArray> &payloads) const
{
    QByteArray commands;
    for (const QByteArray &payload : payloads)
        commands += NatsCommand::publish(subject, {}, payload);
    return exchange(commands, 0).has_value();
}

std::optional<QByteArray> NatsServer::request(const QByteArray &subject, const QByteArray &payload) const
{
    std::optional<QList<QByteArray>> answers = exchange(NatsCommand::publish(subject, "_INBOX.test.1", payload), 1);
    if (!answers)
        return std::nullopt;
    return answers->constFirst();
}

bool NatsServer::createStream(const QByteArray &name, const QByteArray &subjects) const
{
    const QByteArray config =
        R"({"name":")" + name + R"(","subjects":[")" + subjects + R"("],"storage":"memory","num_replicas":1})";
    // JetStream may still be starting for a moment after the server greets clients.
    QElapsedTimer waited;
    waited.start();
    while (waited.elapsed() < kWaitMs) {
        const std::optional<QByteArray> answer = request("$JS.API.STREAM.CREATE." + name, config);
        if (!answer)
            return false;
        const QJsonObject reply = QJsonDocument::fromJson(*answer).object();
        if (!reply.contains(u"error"))
            return true;
        if (reply.value(u"error").toObject().value(u"code").toInt() != 503 && !answer->contains("no responders"))
            return false;
        QTest::qWait(50);
    }
    return false;
}

std::optional<QList<quint64>> NatsServer::publishToStream(const QByteArray &subject,
                                                          const QList<QByteArray> &payloads) const
{
    QByteArray commands;
    for (qsizetype i = 0; i < payloads.size(); ++i)
        commands += NatsCommand::publish(subject, "_INBOX.test." + QByteArray::number(i), payloads[i]);
    std::optional<QList<QByteArray>> acks = exchange(commands, int(payloads.size()));
    if (!acks)
        return std::nullopt;
    QList<quint64> sequences;
    for (const QByteArray &ack : *acks) {
        const QJsonObject reply = QJsonDocument::fromJson(ack).object();
        if (!reply.contains(u"seq"))
            return std::nullopt;
        sequences.append(quint64(reply.value(u"seq").toInteger()));
    }
    // JetStream numbers one connection's publications in their order; the answers may cross.
    std::sort(sequences.begin(), sequences.end());
    return sequences;
}

}   // namespace Clickscope::Testing
