// SPDX-License-Identifier: MIT
// NatsSource against a real nats-server (started per test on a free loopback port, JetStream on),
// and against hostile servers that only pretend to be one.
#include "core/nats/natssource.h"
#include "core/source/sourcefactory.h"
#include "core/system/processstats.h"
#include "support/eventcollector.h"
#include "support/faultproxy.h"
#include "support/natsidentities.h"
#include "support/natsserver.h"
#include "support/ports.h"
#include "support/testcertificates.h"

#include <QFile>
#include <QHostAddress>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

#include <memory>

using namespace Clickscope;
using namespace Clickscope::Testing;

namespace {

constexpr int kWaitMs = 20'000;

SourceConfig configFor(const QUrl &url)
{
    SourceConfig config;
    config.url = url;
    config.defaultRetryMs = 50;   // reconnections in the tests come quickly
    return config;
}

QList<QByteArray> clicks(int from, int to)
{
    QList<QByteArray> payloads;
    for (int i = from; i <= to; ++i)
        payloads << QByteArray(R"({"link":"/a","id":)") + QByteArray::number(i) + '}';
    return payloads;
}

// The "id" of each event's JSON data, in order.
QList<int> clickIds(const EventCollector &collected)
{
    QList<int> ids;
    for (qsizetype i = 0; i < collected.events.size(); ++i)
        ids << collected.json(i).value(QStringLiteral("id")).toInt();
    return ids;
}

QList<int> range(int from, int to)
{
    QList<int> out;
    for (int i = from; i <= to; ++i)
        out << i;
    return out;
}

QList<quint64> eventSequences(const EventCollector &collected)
{
    QList<quint64> sequences;
    for (const SseEvent &event : collected.events)
        sequences << NatsTarget::sequenceOf(event.lastEventId());
    return sequences;
}

// A server that greets like NATS, then sends `after` once the client spoke, followed by `tail`
// `tailRepeats` times, as fast as the client takes it.
class FakeNats : public QObject
{
public:
    FakeNats(QByteArray after, QByteArray tail = {}, int tailRepeats = 0)
        : m_after(std::move(after))
        , m_tail(std::move(tail))
        , m_tailRepeats(tailRepeats)
    {
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection()) {
                socket->setParent(this);
                socket->write("INFO {\"server_id\":\"fake\",\"headers\":true,\"max_payload\":1048576}\r\n");
                connect(socket, &QTcpSocket::readyRead, socket, [this, socket] {
                    socket->readAll();
                    if (socket->property("answered").toBool())
                        return;
                    socket->setProperty("answered", true);
                    socket->write(m_after);
                    const auto left = std::make_shared<int>(m_tailRepeats);
                    const auto more = [socket, this, left] {
                        while (*left > 0 && socket->bytesToWrite() < 1024 * 1024) {
                            socket->write(m_tail);
                            --*left;
                        }
                        m_sent = m_tailRepeats - *left;
                    };
                    connect(socket, &QTcpSocket::bytesWritten, socket, more);
                    more();
                });
            }
        });
        m_server.listen(QHostAddress::LocalHost, 0);
    }
    quint16 port() const { return m_server.serverPort(); }
    int tailsSent() const { return m_sent; }

private:
    QTcpServer m_server;
    QByteArray m_after;
    QByteArray m_tail;
    int m_tailRepeats;
    int m_sent = 0;
};

}   // namespace

class TestNatsSource : public QObject
{
    Q_OBJECT

    // A source on subject c with these query items opens, and reads what the test publishes (the
    // test's own connection made the same way).
    static void readsWith(NatsServer &nats, const QString &query)
    {
        const QUrl url = nats.url(QStringLiteral("c?") + query);
        QVERIFY(nats.setClient(url));
        NatsSource source(configFor(url));
        EventCollector collected(&source);
        QSignalSpy failed(&source, &StreamSource::failed);
        source.open();
        QTRY_VERIFY_WITH_TIMEOUT(source.state() == StreamSource::State::Open || failed.count() > 0, kWaitMs);
        QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.at(0).at(1).toString()));
        QVERIFY(nats.publish("c", clicks(1, 2)));
        QTRY_COMPARE_WITH_TIMEOUT(collected.events.size(), qsizetype(2), kWaitMs);
        QCOMPARE(clickIds(collected), (QList<int>{1, 2}));
    }

    // Why a source on subject c with these query items failed, never having opened or tried again.
    static QString refusalOf(const NatsServer &nats, const QString &query)
    {
        NatsSource source(configFor(nats.url(QStringLiteral("c?") + query)));
        QSignalSpy failed(&source, &StreamSource::failed);
        bool opened = false;
        QObject::connect(&source, &StreamSource::stateChanged, &source, [&opened](StreamSource::State state) {
            opened = opened || state == StreamSource::State::Open;
        });
        source.open();
        if (!QTest::qWaitFor([&] { return failed.count() > 0; }, kWaitMs))
            return QStringLiteral("(no failure)");
        if (opened || source.reconnectCount() != 0)
            return QStringLiteral("(opened or tried again before failing)");
        return failed.at(0).at(1).toString();
    }

private slots:
    void coreSubjectDeliversEveryMatchingMessageInOrder()
    {
        NatsServer nats;
        QVERIFY2(nats.start(), qPrintable(nats.errorString()));
        const std::unique_ptr<StreamSource> source = createSource(configFor(nats.url("clicks.*")));
        QVERIFY(qobject_cast<NatsSource *>(source.get()));
        EventCollector collected(source.get());
        source->open();
        // Open once the server confirmed the subscription: what is published from now on arrives.
        QTRY_COMPARE_WITH_TIMEOUT(source->state(), StreamSource::State::Open, kWaitMs);
        QVERIFY(nats.publish("clicks.eu", clicks(1, 1000)));
        QVERIFY(nats.publish("views.eu", clicks(1001, 1010)));
        QVERIFY(nats.publish("clicks.us", clicks(1011, 2000)));
        QTRY_COMPARE_WITH_TIMEOUT(collected.events.size(), qsizetype(1990), kWaitMs);
        QCOMPARE(clickIds(collected), range(1, 1000) + range(1011, 2000));
        QCOMPARE(collected.types().constFirst(), QStringLiteral("message"));
        QVERIFY(collected.events.constFirst().lastEventId().isEmpty());
        QCOMPARE(source->totalEvents(), quint64(1990));
    }

    void jetStreamFromTheFirstMessageCarriesSequences()
    {
        NatsServer nats;
        QVERIFY2(nats.start(), qPrintable(nats.errorString()));
        QVERIFY(nats.createStream("CLICKS", "clicks.>"));
        const auto sequences = nats.publishToStream("clicks.eu", clicks(1, 500));
        QVERIFY(sequences);
        QVERIFY(nats.publishToStream("clicks.us", clicks(0, 0)));   // in the stream, not on the subject
        NatsSource source(configFor(nats.url("clicks.eu?stream=CLICKS&start=first")));
        EventCollector collected(&source);
        source.open();
        QTRY_COMPARE_WITH_TIMEOUT(collected.events.size(), qsizetype(500), kWaitMs);
        QCOMPARE(clickIds(collected), range(1, 500));
        QCOMPARE(eventSequences(collected), *sequences);
        QCOMPARE(source.lastSequence(), sequences->constLast());
        // What is published now follows, numbered on.
        const auto more = nats.publishToStream("clicks.eu", clicks(501, 600));   // after the one skipped
        QVERIFY(more);
        QTRY_COMPARE_WITH_TIMEOUT(collected.events.size(), qsizetype(600), kWaitMs);
        QCOMPARE(eventSequences(collected).mid(500), *more);
    }

    void jetStreamStartsWhereTheUrlSays()
    {
        NatsServer nats;
        QVERIFY2(nats.start(), qPrintable(nats.errorString()));
        QVERIFY(nats.createStream("S", "s.>"));
        QVERIFY(nats.publishToStream("s.a", clicks(1, 10)));   // sequences 1 to 10
        const QDateTime between = QDateTime::currentDateTimeUtc();
        QTRY_VERIFY(QDateTime::currentDateTimeUtc() > between.addMSecs(5));   // a later stamp for the rest
        QVERIFY(nats.publishToStream("s.b", clicks(11, 15)));

        NatsSource fromSeven(configFor(nats.url("s.>?stream=S&start=seq:7")));
        EventCollector seven(&fromSeven);
        fromSeven.open();
        QTRY_COMPARE_WITH_TIMEOUT(seven.events.size(), qsizetype(9), kWaitMs);
        QCOMPARE(clickIds(seven), range(7, 15));

        NatsSource fromTime(configFor(
            nats.url(QStringLiteral("s.>?stream=S&start=time:") + between.addMSecs(1).toString(Qt::ISODateWithMs))));
        EventCollector timed(&fromTime);
        fromTime.open();
        QTRY_COMPARE_WITH_TIMEOUT(timed.events.size(), qsizetype(5), kWaitMs);
        QCOMPARE(clickIds(timed), range(11, 15));

        NatsSource fromNew(configFor(nats.url("s.>?stream=S")));
        EventCollector fresh(&fromNew);
        fromNew.open();
        QTRY_COMPARE_WITH_TIMEOUT(fromNew.state(), StreamSource::State::Open, kWaitMs);
        QCOMPARE(fromNew.lastSequence(), quint64(15));   // the consumer starts after the stream's end
        QVERIFY(nats.publishToStream("s.c", clicks(16, 17)));
        QTRY_COMPARE_WITH_TIMEOUT(fresh.events.size(), qsizetype(2), kWaitMs);
        QCOMPARE(clickIds(fresh), range(16, 17));
        QCOMPARE(eventSequences(fresh), (QList<quint64>{16, 17}));
    }

    void jetStreamResumesAfterACutWithNothingLostOrTwice()
    {
        NatsServer nats;
        QVERIFY2(nats.start(), qPrintable(nats.errorString()));
        QVERIFY(nats.createStream("S", "s.>"));
        QVERIFY(nats.publishToStream("s.x", clicks(-2, 0)));   // before the source: not read (start=new)
        FaultProxy proxy(nats.port());
        QVERIFY(proxy.listen());
        NatsSource source(configFor(proxy.through(nats.url("s.x?stream=S"))));
        EventCollector collected(&source);
        QSignalSpy reconnects(&source, &StreamSource::reconnectScheduled);
        source.open();
        QTRY_COMPARE_WITH_TIMEOUT(source.state(), StreamSource::State::Open, kWaitMs);
        // "new" is pinned to the stream's end when the consumer is made, so what is published from
        // here on is read, even across a reconnection that comes before the first message.
        QCOMPARE(source.lastSequence(), quint64(3));
        proxy.inject(FaultProxy::Fault::Reset);
        QTRY_COMPARE_WITH_TIMEOUT(reconnects.count(), 1, kWaitMs);
        QVERIFY(nats.publishToStream("s.x", clicks(1, 300)));   // perhaps while the source is away
        QTRY_COMPARE_WITH_TIMEOUT(collected.events.size(), qsizetype(300), kWaitMs);

        proxy.inject(FaultProxy::Fault::Reset);
        QTRY_COMPARE_WITH_TIMEOUT(reconnects.count(), 2, kWaitMs);
        QVERIFY(nats.publishToStream("s.x", clicks(301, 600)));
        QTRY_COMPARE_WITH_TIMEOUT(collected.events.size(), qsizetype(600), kWaitMs);
        QCOMPARE(clickIds(collected), range(1, 600));
        QCOMPARE(proxy.connectionsAccepted(), 3);
    }

    void jetStreamFromAnEmptyStreamLosesNothingAcrossACut()
    {
        // start=new on a stream with nothing in it: the consumer starts after sequence 0, and so
        // does the next one, not at "new" again, which would skip what came meanwhile.
        NatsServer nats;
        QVERIFY2(nats.start(), qPrintable(nats.errorString()));
        QVERIFY(nats.createStream("S", "s"));
        FaultProxy proxy(nats.port());
        QVERIFY(proxy.listen());
        NatsSource source(configFor(proxy.through(nats.url("s?stream=S"))));
        EventCollector collected(&source);
        QSignalSpy reconnects(&source, &StreamSource::reconnectScheduled);
        QSignalSpy states(&source, &StreamSource::stateChanged);
        source.open();
        QTRY_COMPARE_WITH_TIMEOUT(source.state(), StreamSource::State::Open, kWaitMs);
        proxy.inject(FaultProxy::Fault::Blackhole);   // the next connection is held
        proxy.inject(FaultProxy::Fault::Reset);
        QTRY_COMPARE_WITH_TIMEOUT(reconnects.count(), 1, kWaitMs);
        QTRY_COMPARE_WITH_TIMEOUT(proxy.connectionsAccepted(), 2, kWaitMs);
        QVERIFY(nats.publishToStream("s", clicks(1, 5)));   // while the source is surely away
        proxy.heal();
        proxy.inject(FaultProxy::Fault::Reset);   // the held connection goes; the next one works
        QTRY_COMPARE_WITH_TIMEOUT(collected.events.size(), qsizetype(5), kWaitMs);
        QCOMPARE(clickIds(collected), range(1, 5));
    }

    void lastEventIdIsWhereTheFirstConsumerStarts()
    {
        NatsServer nats;
        QVERIFY2(nats.start(), qPrintable(nats.errorString()));
        QVERIFY(nats.createStream("S", "s"));
        QVERIFY(nats.publishToStream("s", clicks(1, 5)));
        SourceConfig config = configFor(nats.url("s?stream=S&start=first"));
        config.lastEventId = "2";   // read up to the second message already
        NatsSource source(config);
        EventCollector collected(&source);
        source.open();
        QTRY_COMPARE_WITH_TIMEOUT(collected.events.size(), qsizetype(3), kWaitMs);
        QCOMPARE(clickIds(collected), (QList<int>{3, 4, 5}));
    }

    void refusalsAboutTheRequestAreFatal_data()
    {
        QTest::addColumn<QStringList>("serverArguments");
        QTest::addColumn<bool>("jetStream");
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("userInfo");
        QTest::addColumn<QString>("says");
        QTest::newRow("no such stream") << QStringList() << true << "s?stream=NOPE" << QString() << "stream not found";
        QTest::newRow("no JetStream") << QStringList() << false << "s?stream=S" << QString() << "has no JetStream";
        QTest::newRow("no token") << QStringList{QStringLiteral("--auth"), QStringLiteral("s3cret")} << false << "s"
                                  << QString() << "Authorization Violation";
        QTest::newRow("wrong token") << QStringList{QStringLiteral("--auth"), QStringLiteral("s3cret")} << false << "s"
                                     << "wrong"
                                     << "Authorization Violation";
        QTest::newRow("wrong password") << QStringList{QStringLiteral("--user"), QStringLiteral("ann"),
                                                       QStringLiteral("--pass"), QStringLiteral("pw")}
                                        << false << "s"
                                        << "ann:nope"
                                        << "Authorization Violation";
    }

    void refusalsAboutTheRequestAreFatal()
    {
        QFETCH(QStringList, serverArguments);
        QFETCH(bool, jetStream);
        QFETCH(QString, path);
        QFETCH(QString, userInfo);
        QFETCH(QString, says);
        NatsServer nats(serverArguments, jetStream);
        QVERIFY2(nats.start(), qPrintable(nats.errorString()));
        NatsSource source(configFor(nats.url(path, userInfo)));
        QSignalSpy failed(&source, &StreamSource::failed);
        source.open();
        QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, kWaitMs);
        const QString message = failed.at(0).at(1).toString();
        QVERIFY2(message.contains(says), qPrintable(message));
        QCOMPARE(source.state(), StreamSource::State::Closed);
        QCOMPARE(source.reconnectCount(), quint64(0));   // asking again would not help
    }

    void credentialsAreSent()
    {
        NatsServer withToken({QStringLiteral("--auth"), QStringLiteral("s3cret")});
        QVERIFY2(withToken.start(), qPrintable(withToken.errorString()));
        QVERIFY(withToken.setClient(withToken.url({}, QStringLiteral("s3cret"))));
        NatsServer withUser(
            {QStringLiteral("--user"), QStringLiteral("ann"), QStringLiteral("--pass"), QStringLiteral("p@ss")});
        QVERIFY2(withUser.start(), qPrintable(withUser.errorString()));
        QVERIFY(withUser.setClient(withUser.url({}, QStringLiteral("ann:p%40ss"))));
        for (const auto &[server, userInfo] :
             {std::pair{&withToken, QStringLiteral("s3cret")}, std::pair{&withUser, QStringLiteral("ann:p%40ss")}}) {
            NatsSource source(configFor(server->url(QStringLiteral("c"), userInfo)));
            EventCollector collected(&source);
            source.open();
            QTRY_COMPARE_WITH_TIMEOUT(source.state(), StreamSource::State::Open, kWaitMs);
            QVERIFY(server->publish("c", clicks(1, 2)));
            QTRY_COMPARE_WITH_TIMEOUT(collected.events.size(), qsizetype(2), kWaitMs);
        }
    }

    void anNkeySeedProvesTheUser()
    {
        NatsIdentities identities;
        QVERIFY2(identities.isValid(), qPrintable(identities.errorString()));
        NatsServer nats({QStringLiteral("-c"), identities.nkeyServerConfig()});
        QVERIFY2(nats.start(), qPrintable(nats.errorString()));
        readsWith(nats, QStringLiteral("nkey=") + identities.seedFile());
        const QString refusal = refusalOf(nats, QStringLiteral("nkey=") + identities.strangerSeedFile());
        QVERIFY2(refusal.contains(u"Authorization Violation"), qPrintable(refusal));
        const QString missing = refusalOf(nats, QStringLiteral("nkey=/nonexistent/u.nk"));
        QVERIFY2(missing.contains(u"nkey=: cannot read '/nonexistent/u.nk'"), qPrintable(missing));
    }

    void aCredentialBeingRenewedIsWaitedFor()
    {
        // Between connections the seed file goes, then comes back: reading goes on.
        NatsIdentities identities;
        QVERIFY2(identities.isValid(), qPrintable(identities.errorString()));
        NatsServer nats({QStringLiteral("-c"), identities.nkeyServerConfig()});
        QVERIFY2(nats.start(), qPrintable(nats.errorString()));
        FaultProxy proxy(nats.port());
        QVERIFY(proxy.listen());
        const QUrl url = nats.url(QStringLiteral("c?nkey=") + identities.seedFile());
        QVERIFY(nats.setClient(url));
        NatsSource source(configFor(proxy.through(url)));
        EventCollector collected(&source);
        QSignalSpy reconnects(&source, &StreamSource::reconnectScheduled);
        QSignalSpy failed(&source, &StreamSource::failed);
        source.open();
        QTRY_COMPARE_WITH_TIMEOUT(source.state(), StreamSource::State::Open, kWaitMs);
        QFile seed(identities.seedFile());
        QVERIFY(seed.open(QIODevice::ReadOnly));
        const QByteArray kept = seed.readAll();
        seed.close();
        QVERIFY(seed.remove());
        proxy.inject(FaultProxy::Fault::Reset);
        QTRY_VERIFY_WITH_TIMEOUT(reconnects.count() >= 2, kWaitMs);
        QVERIFY2(reconnects.last().at(1).toString().contains(u"cannot read"),
                 qPrintable(reconnects.last().at(1).toString()));
        QVERIFY(seed.open(QIODevice::WriteOnly));
        seed.write(kept);
        seed.close();
        QTRY_COMPARE_WITH_TIMEOUT(source.state(), StreamSource::State::Open, kWaitMs);
        QTRY_COMPARE_WITH_TIMEOUT(nats.subscribers("c"), 1, kWaitMs);
        QVERIFY(nats.publish("c", clicks(1, 2)));
        QTRY_COMPARE_WITH_TIMEOUT(collected.events.size(), qsizetype(2), kWaitMs);
        QCOMPARE(failed.count(), 0);
    }

    void aCredentialsFileProvesTheUserToAnOperatorsServer()
    {
        NatsIdentities identities;
        QVERIFY2(identities.isValid(), qPrintable(identities.errorString()));
        NatsServer nats({QStringLiteral("-c"), identities.operatorServerConfig()}, false);
        QVERIFY2(nats.start(), qPrintable(nats.errorString()));
        readsWith(nats, QStringLiteral("creds=") + identities.credsFile());
        // A user JWT whose account the operator never signed.
        const QString refusal = refusalOf(nats, QStringLiteral("creds=") + identities.forgedCredsFile());
        QVERIFY2(refusal.contains(u"Authorization Violation"), qPrintable(refusal));
    }

    void tlsIsUsedWhenTheServerRequiresIt()
    {
        TestCertificates certificates;
        QVERIFY2(certificates.make(), qPrintable(certificates.errorString()));
        NatsServer nats({QStringLiteral("--tls"), QStringLiteral("--tlscert"), certificates.serverCertificate(),
                         QStringLiteral("--tlskey"), certificates.serverKey()});
        QVERIFY2(nats.start(), qPrintable(nats.errorString()));
        readsWith(nats, QStringLiteral("tls_ca=") + certificates.authority());
        // A certificate from an authority we were not told to trust: trying again cannot cure it.
        for (const QString &query : {QString(), QStringLiteral("tls_ca=") + certificates.otherAuthority()}) {
            const QString refusal = refusalOf(nats, query);
            QVERIFY2(refusal.contains(u"TLS with the NATS server failed"), qPrintable(refusal));
        }
    }

    void aClientCertificateIsShownWhenTheServerAsks()
    {
        TestCertificates certificates;
        QVERIFY2(certificates.make(), qPrintable(certificates.errorString()));
        NatsServer nats({QStringLiteral("--tlsverify"), QStringLiteral("--tlscert"), certificates.serverCertificate(),
                         QStringLiteral("--tlskey"), certificates.serverKey(), QStringLiteral("--tlscacert"),
                         certificates.authority()});
        QVERIFY2(nats.start(), qPrintable(nats.errorString()));
        readsWith(nats, QStringLiteral("tls_ca=%1&tls_cert=%2&tls_key=%3")
                            .arg(certificates.authority(), certificates.clientCertificate(), certificates.clientKey()));
        // Without ours, TLS 1.3 lets the handshake end before the server refuses: it looks like a
        // broken connection, tried again, never open.
        NatsSource source(configFor(nats.url(QStringLiteral("c?tls_ca=") + certificates.authority())));
        QSignalSpy reconnects(&source, &StreamSource::reconnectScheduled);
        bool opened = false;
        connect(&source, &StreamSource::stateChanged, &source,
                [&opened](StreamSource::State state) { opened = opened || state == StreamSource::State::Open; });
        source.open();
        QTRY_VERIFY_WITH_TIMEOUT(reconnects.count() >= 2, kWaitMs);
        QVERIFY(!opened);
        QStringList reasons;
        for (const QList<QVariant> &reconnect : std::as_const(reconnects))
            reasons << reconnect.at(1).toString();
        QVERIFY2(reasons.join(u'\n').contains(u"certificate"), qPrintable(reasons.join(u'\n')));
    }

    void tlsAskedOfAServerWithoutItIsRefused()
    {
        NatsServer nats;
        QVERIFY2(nats.start(), qPrintable(nats.errorString()));
        const QString refusal = refusalOf(nats, QStringLiteral("tls=required"));
        QVERIFY2(refusal.contains(u"offers no TLS"), qPrintable(refusal));
    }

    void anOversizedMessageIsDroppedAndTheNextOnesArrive()
    {
        NatsServer nats;
        QVERIFY2(nats.start(), qPrintable(nats.errorString()));
        QVERIFY(nats.createStream("S", "s"));
        for (const QString &path : {QStringLiteral("c"), QStringLiteral("s?stream=S")}) {
            const QByteArray subject = path.startsWith(u'c') ? "c" : "s";
            SourceConfig config = configFor(nats.url(path));
            config.limits.maxEventBytes = 1000;
            NatsSource source(config);
            EventCollector collected(&source);
            QSignalSpy discarded(&source, &StreamSource::eventsDiscarded);
            source.open();
            QTRY_COMPARE_WITH_TIMEOUT(source.state(), StreamSource::State::Open, kWaitMs);
            // Over the event limit; and far over it, beyond what the reader keeps of a message.
            const QList<QByteArray> payloads =
                clicks(1, 1) + QList<QByteArray>{QByteArray(5000, 'x'), QByteArray(200'000, 'y')} + clicks(2, 2);
            if (subject == "c")
                QVERIFY(nats.publish(subject, payloads));
            else
                QVERIFY(nats.publishToStream(subject, payloads));
            QTRY_COMPARE_WITH_TIMEOUT(collected.events.size(), qsizetype(2), kWaitMs);
            QCOMPARE(clickIds(collected), (QList<int>{1, 2}));
            QCOMPARE(discarded.count(), 2);
        }
    }

    void theEndMarkerStopsCleanly()
    {
        NatsServer nats;
        QVERIFY2(nats.start(), qPrintable(nats.errorString()));
        SourceConfig config = configFor(nats.url("c"));
        config.doneMarker = QByteArray("[DONE]");
        NatsSource source(config);
        EventCollector collected(&source);
        QSignalSpy ended(&source, &StreamSource::ended);
        source.open();
        QTRY_COMPARE_WITH_TIMEOUT(source.state(), StreamSource::State::Open, kWaitMs);
        QVERIFY(nats.publish("c", clicks(1, 2) + QList<QByteArray>{"[DONE]"} + clicks(3, 3)));
        QTRY_COMPARE_WITH_TIMEOUT(ended.count(), 1, kWaitMs);
        QCOMPARE(clickIds(collected), (QList<int>{1, 2}));
        QCOMPARE(source.state(), StreamSource::State::Closed);
    }

    void aSilentServerIsProbedAndADeadOneNoticed()
    {
        NatsServer nats;
        QVERIFY2(nats.start(), qPrintable(nats.errorString()));
        FaultProxy proxy(nats.port());
        QVERIFY(proxy.listen());
        SourceConfig config = configFor(proxy.through(nats.url("c")));
        config.idleTimeoutMs = 1500;
        NatsSource source(config);
        QSignalSpy reconnects(&source, &StreamSource::reconnectScheduled);
        source.open();
        QTRY_COMPARE_WITH_TIMEOUT(source.state(), StreamSource::State::Open, kWaitMs);
        // Nothing is published, yet the pings a third of the timeout apart keep it open.
        const qint64 sentBefore = proxy.bytesFromClients();
        QTRY_VERIFY_WITH_TIMEOUT(proxy.bytesFromClients() >= sentBefore + 3 * qint64(sizeof("PING\r\n") - 1), kWaitMs);
        QCOMPARE(reconnects.count(), 0);
        proxy.inject(FaultProxy::Fault::Stall);   // a half-open connection: the pings go unanswered
        QTRY_COMPARE_WITH_TIMEOUT(reconnects.count(), 1, kWaitMs);
        QVERIFY2(reconnects.at(0).at(1).toString().contains(u"no data for 1500 ms"),
                 qPrintable(reconnects.at(0).at(1).toString()));
    }

    void aBadUrlFailsAtOnce()
    {
        NatsSource source(configFor(QUrl(QStringLiteral("nats://127.0.0.1/a..b"))));
        QSignalSpy failed(&source, &StreamSource::failed);
        source.open();
        QTRY_COMPARE(failed.count(), 1);
        QCOMPARE(failed.at(0).at(0).value<StreamSource::Error>(), StreamSource::Error::InvalidUrl);
        QVERIFY2(failed.at(0).at(1).toString().contains(u"is not a NATS subject"),
                 qPrintable(failed.at(0).at(1).toString()));
    }

    void anUnreachableServerIsReported()
    {
        SourceConfig config = configFor(QUrl(QStringLiteral("nats://127.0.0.1:%1/c").arg(unusedPort())));
        config.reconnect = false;
        NatsSource source(config);
        QSignalSpy failed(&source, &StreamSource::failed);
        source.open();
        QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, kWaitMs);
        QCOMPARE(failed.at(0).at(0).value<StreamSource::Error>(), StreamSource::Error::Network);
        QVERIFY2(failed.at(0).at(1).toString().contains(u"refused", Qt::CaseInsensitive),
                 qPrintable(failed.at(0).at(1).toString()));
    }

    void aServerThatIsNotNatsIsReported()
    {
        QTcpServer http;
        QVERIFY(http.listen(QHostAddress::LocalHost, 0));
        connect(&http, &QTcpServer::newConnection, &http, [&http] {
            QTcpSocket *socket = http.nextPendingConnection();
            socket->write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
        });
        SourceConfig config = configFor(QUrl(QStringLiteral("nats://127.0.0.1:%1/c").arg(http.serverPort())));
        config.reconnect = false;
        NatsSource source(config);
        QSignalSpy failed(&source, &StreamSource::failed);
        source.open();
        QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, kWaitMs);
        QVERIFY2(failed.at(0).at(1).toString().contains(u"not a NATS operation"),
                 qPrintable(failed.at(0).at(1).toString()));
    }

    void whatFollowsInfoInTheClearIsNotTakenOnceTlsStarts()
    {
        // Someone on the path asks for TLS and slips a message in behind INFO, in the clear; then
        // drops the connection as our TLS hello comes.
        QTcpServer hostile;
        QVERIFY(hostile.listen(QHostAddress::LocalHost, 0));
        connect(&hostile, &QTcpServer::newConnection, &hostile, [&hostile] {
            QTcpSocket *socket = hostile.nextPendingConnection();
            socket->write("INFO {\"tls_required\":true,\"headers\":true}\r\n"
                          "MSG c 1 21\r\n{\"link\":\"/a\",\"id\":66}\r\nPING\r\n");
            connect(socket, &QTcpSocket::readyRead, socket, [socket] { socket->abort(); });
        });
        SourceConfig config = configFor(QUrl(QStringLiteral("nats://127.0.0.1:%1/c").arg(hostile.serverPort())));
        config.reconnect = false;
        NatsSource source(config);
        EventCollector collected(&source);
        QSignalSpy failed(&source, &StreamSource::failed);
        source.open();
        QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, kWaitMs);
        QCOMPARE(collected.events.size(), qsizetype(0));
        QCOMPARE(source.state(), StreamSource::State::Closed);
    }

    void aHostileServerCannotMakeUsBufferWithoutBound()
    {
        // A message announcing almost a gigabyte, then 256 MiB of it as fast as we take it: passed
        // over as it comes, never held.
        FakeNats flood("PONG\r\nMSG c 1 1000000000\r\n", QByteArray(64 * 1024, 'x'), 4096);
        SourceConfig config = configFor(QUrl(QStringLiteral("nats://127.0.0.1:%1/c").arg(flood.port())));
        config.reconnect = false;
        config.limits.maxEventBytes = 64 * 1024;
        NatsSource source(config);
        QSignalSpy discarded(&source, &StreamSource::eventsDiscarded);
        source.open();
        const qint64 residentBefore = ProcessStats::residentBytes();
        QTRY_VERIFY_WITH_TIMEOUT(source.totalBytes() >= 4096ULL * 64 * 1024, 60'000);
        const qint64 grown = ProcessStats::residentBytes() - residentBefore;
        QCOMPARE(discarded.count(), 1);
        QCOMPARE(source.state(), StreamSource::State::Open);   // a flood is not an error, only unread
        QVERIFY2(grown < 32 * 1024 * 1024, qPrintable(QString::number(grown)));
        // A line that never ends is an error at the reader's bound.
        FakeNats endless("INFO ", QByteArray(64 * 1024, 'i'), 64);
        SourceConfig endlessConfig = configFor(QUrl(QStringLiteral("nats://127.0.0.1:%1/c").arg(endless.port())));
        endlessConfig.reconnect = false;
        NatsSource endlessSource(endlessConfig);
        QSignalSpy endlessFailed(&endlessSource, &StreamSource::failed);
        endlessSource.open();
        QTRY_COMPARE_WITH_TIMEOUT(endlessFailed.count(), 1, kWaitMs);
        QVERIFY2(endlessFailed.at(0).at(1).toString().contains(u"longer than"),
                 qPrintable(endlessFailed.at(0).at(1).toString()));
    }
};

QTEST_GUILESS_MAIN(TestNatsSource)
#include "tst_natssource.moc"
