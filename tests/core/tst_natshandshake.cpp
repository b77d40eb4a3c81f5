// SPDX-License-Identifier: MIT
// NatsHandshake: what it takes from the server before CONNECT, and what it refuses. Real servers
// (with and without TLS) run through it in tst_natssource and tst_natsreplicas.
#include "core/nats/natshandshake.h"

#include <QJsonDocument>
#include <QSslSocket>
#include <QTest>

using namespace Clickscope;

namespace {

NatsOp infoOp(const QByteArray &json)
{
    NatsOp op;
    op.type = NatsOp::Type::Info;
    op.payload = json;
    return op;
}

NatsOp pingOp()
{
    NatsOp op;
    op.type = NatsOp::Type::Ping;
    return op;
}

NatsTarget targetOf(const QString &url)
{
    Result<NatsTarget> target = NatsTarget::fromUrl(QUrl(url));
    return target ? *target : NatsTarget{};
}

}   // namespace

class TestNatsHandshake : public QObject
{
    Q_OBJECT

private slots:
    void aPlainServerIsGreetedWithConnect()
    {
        const NatsTarget target = targetOf(QStringLiteral("nats://ann:pw@127.0.0.1/c"));
        NatsHandshake handshake(target);
        QSslSocket socket;
        NatsReader reader;
        // What comes before INFO is the caller's (a PING is answered as any other).
        Result<bool> taken = handshake.take(pingOp(), socket, reader);
        QVERIFY(taken && !*taken);
        QCOMPARE(handshake.step(), NatsHandshake::Step::Info);

        taken = handshake.take(infoOp(R"({"server_id":"A","max_payload":1024})"), socket, reader);
        QVERIFY2(taken, qPrintable(taken.error()));
        QVERIFY(*taken);
        QCOMPARE(handshake.step(), NatsHandshake::Step::Hello);
        QCOMPARE(handshake.serverInfo().value(u"server_id").toString(), QStringLiteral("A"));

        const QByteArray hello = handshake.hello();
        QVERIFY(hello.startsWith("CONNECT {") && hello.endsWith("}\r\n"));
        const QJsonObject connect = QJsonDocument::fromJson(hello.mid(8)).object();
        QCOMPARE(connect.value(u"user").toString(), QStringLiteral("ann"));
        QCOMPARE(connect.value(u"tls_required").toBool(), false);
        QCOMPARE(handshake.step(), NatsHandshake::Step::Done);

        // A cluster's later INFO is the caller's news, not a second greeting.
        taken = handshake.take(infoOp(R"({"server_id":"B"})"), socket, reader);
        QVERIFY(taken && !*taken);
        QCOMPARE(handshake.serverInfo().value(u"server_id").toString(), QStringLiteral("A"));
    }

    void tlsAskedOfAServerWithoutItIsALastingRefusal()
    {
        const NatsTarget target = targetOf(QStringLiteral("nats://127.0.0.1/c?tls=required"));
        NatsHandshake handshake(target);
        QSslSocket socket;
        NatsReader reader;
        const Result<bool> taken = handshake.take(infoOp(R"({"server_id":"A"})"), socket, reader);
        QVERIFY(!taken);
        QVERIFY2(taken.error().contains(u"offers no TLS"), qPrintable(taken.error()));
        QCOMPARE(handshake.step(), NatsHandshake::Step::Info);
    }

    void onceTlsStartsTheClearBytesAreGoneAndTheServerMayNotSpeak()
    {
        if (!QSslSocket::supportsSsl())
            QSKIP("no TLS library");
        const NatsTarget target = targetOf(QStringLiteral("nats://127.0.0.1/c"));
        NatsHandshake handshake(target);
        QSslSocket socket;   // never connected: starting TLS on it does nothing
        NatsReader reader;
        // What a man in the middle slipped in behind INFO, in the clear, half an operation of it.
        reader.feed("MSG c 1 21\r\n{\"link\":");
        QVERIFY(!reader.next());
        // The handshake is asked of the socket (which, unconnected, says so).
        QTest::ignoreMessage(QtWarningMsg,
                             "QSslSocket::startClientEncryption: cannot start handshake when not connected");
        const Result<bool> taken = handshake.take(infoOp(R"({"tls_required":true})"), socket, reader);
        QVERIFY2(taken, qPrintable(taken.error()));
        QVERIFY(*taken);
        QCOMPARE(handshake.step(), NatsHandshake::Step::Tls);
        QCOMPARE(reader.bufferedBytes(), qsizetype(0));

        const Result<bool> early = handshake.take(pingOp(), socket, reader);
        QVERIFY(!early);
        QVERIFY2(early.error().contains(u"before the TLS handshake"), qPrintable(early.error()));
        QCOMPARE(handshake.step(), NatsHandshake::Step::Tls);

        const QJsonObject connect = QJsonDocument::fromJson(handshake.hello().mid(8)).object();
        QCOMPARE(connect.value(u"tls_required").toBool(), true);
        QCOMPARE(handshake.step(), NatsHandshake::Step::Done);
    }
};

QTEST_GUILESS_MAIN(TestNatsHandshake)
#include "tst_natshandshake.moc"
