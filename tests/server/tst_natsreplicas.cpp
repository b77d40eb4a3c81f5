// SPDX-License-Identifier: MIT
// Publishers sharing one JetStream stream on a real nats-server: every replica serves the same
// clicks with the same ids, a reader resumes on any of them, and NATS going away is survived.
#include "core/sse/eventsource.h"
#include "server/testpublisher.h"
#include "support/eventcollector.h"
#include "support/faultproxy.h"
#include "support/natsidentities.h"
#include "support/natsserver.h"
#include "support/testcertificates.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTest>

#include <memory>
#include <vector>

using namespace Clickscope;
using namespace Clickscope::Testing;

namespace {

constexpr int kWaitMs = 20'000;

struct HttpResult
{
    int status = 0;
    QByteArray body;
    QByteArray retryAfter;
    QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
};

QByteArray clicks(int from, int to)
{
    QByteArray batch = "[";
    for (int i = from; i <= to; ++i)
        batch += "{\"link\":\"/l" + QByteArray::number(i % 7) + "\",\"n\":" + QByteArray::number(i) + "},";
    batch.chop(1);
    return batch + "]";
}

QList<quint64> idsOf(const EventCollector &collected)
{
    QList<quint64> ids;
    for (const SseEvent &event : collected.events) {
        if (event.type() == "click")
            ids << event.lastEventId().toULongLong();
    }
    return ids;
}

QList<quint64> range(quint64 from, quint64 to)
{
    QList<quint64> out;
    for (quint64 i = from; i <= to; ++i)
        out << i;
    return out;
}

}   // namespace

class TestNatsReplicas : public QObject
{
    Q_OBJECT

private slots:
    void everyReplicaServesTheSameClicksWithTheStreamsIds();
    void aReaderResumesOnAnotherReplicaWithNothingLostOrTwice();
    void aReplicaBehindTheReaderWaitsForTheStream();
    void whileNatsIsAwayPublishingIsRefusedAndNothingAcknowledgedIsLost();
    void aChannelMustBeOneSubjectToken();
    void aClickLargerThanNatsTakesIsRefusedAlone();
    void aSlowReplicaDoesNotSlowTheOthers();
    void replicasShareAStreamOverTlsAsAnNkeyUser();

private:
    // `query` says how to connect (creds=, tls_ca=…), as a source URL does.
    std::unique_ptr<TestPublisher> replica(const NatsServer &nats, const FaultProxy *through = nullptr,
                                           const QString &query = {})
    {
        TestPublisher::Settings settings;
        NatsStreamWriter::Settings shared;
        const QUrl url = nats.url(query.isEmpty() ? QStringLiteral("clicks") : QStringLiteral("clicks?") + query);
        shared.server = *NatsTarget::fromUrl(through ? through->through(url) : url);
        shared.maxMessages = 10'000;
        settings.nats = shared;
        auto publisher = std::make_unique<TestPublisher>(settings);
        if (!publisher->listen())
            return nullptr;
        return publisher;
    }
    HttpResult post(const TestPublisher &to, const QString &path, const QByteArray &body)
    {
        QNetworkRequest request(const_cast<TestPublisher &>(to).baseUrl().resolved(QUrl(path)));
        request.setRawHeader("Content-Type", "application/json");
        std::unique_ptr<QNetworkReply> reply(m_nam.post(request, body));
        QSignalSpy finished(reply.get(), &QNetworkReply::finished);
        if (!reply->isFinished())
            finished.wait(kWaitMs);
        return {reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), reply->readAll(),
                reply->rawHeader("Retry-After")};
    }
    std::unique_ptr<EventSource> reader(const TestPublisher &from, const QByteArray &lastEventId = {})
    {
        SourceConfig config;
        config.url = const_cast<TestPublisher &>(from).baseUrl().resolved(QUrl(QStringLiteral("/events")));
        config.lastEventId = lastEventId;
        config.defaultRetryMs = 50;
        auto source = std::make_unique<EventSource>(config);
        source->open();
        return source;
    }

    QNetworkAccessManager m_nam;
};

void TestNatsReplicas::everyReplicaServesTheSameClicksWithTheStreamsIds()
{
    NatsServer nats;
    QVERIFY2(nats.start(), qPrintable(nats.errorString()));
    std::vector<std::unique_ptr<TestPublisher>> replicas;
    std::vector<std::unique_ptr<EventSource>> readers;
    std::vector<std::unique_ptr<EventCollector>> collected;
    for (int i = 0; i < 3; ++i) {
        replicas.push_back(replica(nats));
        QVERIFY(replicas.back());
        QTRY_VERIFY_WITH_TIMEOUT(replicas.back()->isPublishing(), kWaitMs);
        readers.push_back(reader(*replicas.back()));
        collected.push_back(std::make_unique<EventCollector>(readers.back().get()));
        QTRY_COMPARE_WITH_TIMEOUT(replicas.back()->subscriberCount(), 1, kWaitMs);
    }
    // Each replica takes a third of the publications; JetStream numbers them in one order.
    quint64 expectedFirst = 1;
    for (int batch = 0; batch < 9; ++batch) {
        const HttpResult r =
            post(*replicas[batch % 3], QStringLiteral("/publish"), clicks(batch * 50 + 1, batch * 50 + 50));
        QCOMPARE(r.status, 202);
        QCOMPARE(quint64(r.json().value("firstId").toInteger()), expectedFirst);
        QCOMPARE(quint64(r.json().value("lastId").toInteger()), expectedFirst + 49);
        expectedFirst += 50;
    }
    // One more, the last: once it is there, anything served twice would be too.
    QCOMPARE(post(*replicas[0], QStringLiteral("/publish"), clicks(451, 451)).status, 202);
    for (int i = 0; i < 3; ++i) {
        QTRY_COMPARE_WITH_TIMEOUT(idsOf(*collected[i]).size(), qsizetype(451), kWaitMs);
        QCOMPARE(idsOf(*collected[i]), range(1, 451));
        QCOMPARE(collected[i]->data(), collected[0]->data());   // the same clicks, byte for byte
        QCOMPARE(replicas[i]->stats().value("clicksPublished").toInteger(), 451);
        QCOMPARE(replicas[i]->hub().snapshotJson(), replicas[0]->hub().snapshotJson());
    }
    // A replica started later rebuilds the same state from the stream.
    const auto late = replica(nats);
    QVERIFY(late);
    QTRY_COMPARE_WITH_TIMEOUT(late->hub().lastSequence(), quint64(451), kWaitMs);
    QCOMPARE(late->hub().snapshotJson(), replicas[0]->hub().snapshotJson());
}

void TestNatsReplicas::aReaderResumesOnAnotherReplicaWithNothingLostOrTwice()
{
    NatsServer nats;
    QVERIFY2(nats.start(), qPrintable(nats.errorString()));
    auto a = replica(nats);
    auto b = replica(nats);
    auto c = replica(nats);
    QVERIFY(a && b && c);
    QTRY_VERIFY_WITH_TIMEOUT(a->isPublishing() && b->isPublishing() && c->isPublishing(), kWaitMs);
    auto first = reader(*a);
    EventCollector before(first.get());
    QTRY_COMPARE_WITH_TIMEOUT(a->subscriberCount(), 1, kWaitMs);
    QCOMPARE(post(*b, QStringLiteral("/publish"), clicks(1, 200)).status, 202);
    QTRY_COMPARE_WITH_TIMEOUT(idsOf(before).size(), qsizetype(200), kWaitMs);
    first->close();
    a.reset();   // the replica it read goes
    // Published while the reader is between replicas: it gets them from the next one.
    QCOMPARE(post(*b, QStringLiteral("/publish"), clicks(201, 300)).status, 202);
    auto second = reader(*c, QByteArray::number(idsOf(before).constLast()));
    EventCollector after(second.get());
    QTRY_COMPARE_WITH_TIMEOUT(c->subscriberCount(), 1, kWaitMs);
    QCOMPARE(post(*b, QStringLiteral("/publish"), clicks(301, 400)).status, 202);
    QTRY_COMPARE_WITH_TIMEOUT(idsOf(after).size(), qsizetype(200), kWaitMs);
    QCOMPARE(idsOf(before) + idsOf(after), range(1, 400));
}

void TestNatsReplicas::aReplicaBehindTheReaderWaitsForTheStream()
{
    // A reader that already had ids a replica has not read yet gets what follows them, not a
    // snapshot and not what it had. The replica's NATS connection is held back until the reader
    // is in, so it is behind for sure.
    NatsServer nats;
    QVERIFY2(nats.start(), qPrintable(nats.errorString()));
    auto a = replica(nats);
    QVERIFY(a);
    QTRY_VERIFY_WITH_TIMEOUT(a->isPublishing(), kWaitMs);
    QCOMPARE(post(*a, QStringLiteral("/publish"), clicks(1, 100)).status, 202);
    FaultProxy proxy(nats.port());
    QVERIFY(proxy.listen());
    proxy.inject(FaultProxy::Fault::Delay, 600'000);
    const auto late = replica(nats, &proxy);
    QVERIFY(late);
    auto source = reader(*late, "60");
    EventCollector got(source.get());
    // An id further ahead than the stream can hold is none of its: that reader gets the snapshot.
    auto lost = reader(*late, "100000000000");
    EventCollector snapshot(lost.get());
    QTRY_COMPARE_WITH_TIMEOUT(late->subscriberCount(), 2, kWaitMs);
    QCOMPARE(late->hub().lastSequence(), quint64(0));
    proxy.heal();
    QTRY_COMPARE_WITH_TIMEOUT(idsOf(got).size(), qsizetype(40), kWaitMs);
    QCOMPARE(late->hub().lastSequence(), quint64(100));
    QCOMPARE(idsOf(got), range(61, 100));
    for (const SseEvent &event : got.events)
        QVERIFY(event.type() != "snapshot");
    QTRY_VERIFY_WITH_TIMEOUT(!snapshot.events.isEmpty(), kWaitMs);
    QCOMPARE(snapshot.events.constFirst().type(), QByteArrayView("snapshot"));
}

void TestNatsReplicas::whileNatsIsAwayPublishingIsRefusedAndNothingAcknowledgedIsLost()
{
    NatsServer nats;
    QVERIFY2(nats.start(), qPrintable(nats.errorString()));
    auto a = replica(nats);
    auto b = replica(nats);
    QVERIFY(a && b);
    QTRY_VERIFY_WITH_TIMEOUT(a->isPublishing() && b->isPublishing(), kWaitMs);
    auto source = reader(*b);
    EventCollector got(source.get());
    QTRY_COMPARE_WITH_TIMEOUT(b->subscriberCount(), 1, kWaitMs);
    QCOMPARE(post(*a, QStringLiteral("/publish"), clicks(1, 100)).status, 202);

    nats.kill();
    QTRY_VERIFY_WITH_TIMEOUT(!a->isPublishing(), kWaitMs);
    const HttpResult refused = post(*a, QStringLiteral("/publish"), clicks(101, 110));
    QCOMPARE(refused.status, 503);
    QCOMPARE(refused.retryAfter, QByteArray("1"));
    QVERIFY2(refused.json().value("error").toString().contains(u"not connected to JetStream"),
             refused.body.constData());

    QVERIFY2(nats.start(), qPrintable(nats.errorString()));   // the same port and files
    QTRY_VERIFY_WITH_TIMEOUT(a->isPublishing(), kWaitMs);
    const HttpResult again = post(*a, QStringLiteral("/publish"), clicks(101, 200));
    QCOMPARE(again.status, 202);
    QCOMPARE(again.json().value("firstId").toInteger(), 101);   // the refused ones took no number
    // The replica that serves the reader read the stream again after the restart: every
    // acknowledged click once, in order, the reader never cut off.
    QTRY_COMPARE_WITH_TIMEOUT(idsOf(got).size(), qsizetype(200), kWaitMs);
    QCOMPARE(idsOf(got), range(1, 200));
    QCOMPARE(source->reconnectCount(), quint64(0));
}

void TestNatsReplicas::aChannelMustBeOneSubjectToken()
{
    NatsServer nats;
    QVERIFY2(nats.start(), qPrintable(nats.errorString()));
    auto a = replica(nats);
    QVERIFY(a);
    QTRY_VERIFY_WITH_TIMEOUT(a->isPublishing(), kWaitMs);
    for (const QString &channel :
         {QStringLiteral("a.b"), QStringLiteral("*"), QStringLiteral("%3E"), QStringLiteral("a%20b")}) {
        const HttpResult r = post(*a, QStringLiteral("/publish?channel=") + channel, clicks(1, 1));
        QCOMPARE(r.status, 400);
        QVERIFY2(r.json().value("error").toString().contains(u"one word"), r.body.constData());
    }
    QCOMPARE(post(*a, QStringLiteral("/publish?channel=shop"), clicks(1, 1)).status, 202);
}

void TestNatsReplicas::aClickLargerThanNatsTakesIsRefusedAlone()
{
    // The body is within the publisher's 1 MiB, the click with its "ts" is not within NATS's.
    NatsServer nats;
    QVERIFY2(nats.start(), qPrintable(nats.errorString()));
    auto a = replica(nats);
    QVERIFY(a);
    QTRY_VERIFY_WITH_TIMEOUT(a->isPublishing(), kWaitMs);
    const QByteArray head = "{\"link\":\"/big\",\"pad\":\"";
    const QByteArray big = head + QByteArray(1024 * 1024 - 4 - head.size(), 'p') + "\"}";
    const HttpResult r = post(*a, QStringLiteral("/publish"), big);
    QCOMPARE(r.status, 413);
    QVERIFY2(r.json().value("error").toString().contains(u"more than the NATS server takes"), r.body.constData());
    QVERIFY(a->isPublishing());   // the connection stays
    QCOMPARE(post(*a, QStringLiteral("/publish"), clicks(1, 1)).status, 202);
}

void TestNatsReplicas::aSlowReplicaDoesNotSlowTheOthers()
{
    // B's connection to NATS passes nothing for now (a replica that cannot keep up, at the
    // extreme): A publishes and serves as before; B catches up once its connection moves again.
    NatsServer nats;
    QVERIFY2(nats.start(), qPrintable(nats.errorString()));
    auto a = replica(nats);
    QVERIFY(a);
    FaultProxy proxy(nats.port());
    QVERIFY(proxy.listen());
    auto b = replica(nats, &proxy);
    QVERIFY(b);
    QTRY_VERIFY_WITH_TIMEOUT(a->isPublishing() && b->isPublishing(), kWaitMs);
    auto fast = reader(*a);
    EventCollector fastGot(fast.get());
    auto slow = reader(*b);
    EventCollector slowGot(slow.get());
    QTRY_VERIFY_WITH_TIMEOUT(a->subscriberCount() == 1 && b->subscriberCount() == 1, kWaitMs);
    proxy.inject(FaultProxy::Fault::Stall);
    for (int batch = 0; batch < 5; ++batch)
        QCOMPARE(post(*a, QStringLiteral("/publish"), clicks(batch * 200 + 1, batch * 200 + 200)).status, 202);
    QTRY_COMPARE_WITH_TIMEOUT(idsOf(fastGot).size(), qsizetype(1000), kWaitMs);
    QCOMPARE(idsOf(fastGot), range(1, 1000));
    QCOMPARE(idsOf(slowGot).size(), qsizetype(0));
    QCOMPARE(b->hub().lastSequence(), quint64(0));
    // The stalled connection is given up (nothing for NatsStreamWriter::kSilentMs); the next one
    // reads on from where it was.
    QTRY_COMPARE_WITH_TIMEOUT(idsOf(slowGot).size(), qsizetype(1000), kWaitMs + NatsStreamWriter::kSilentMs);
    QCOMPARE(idsOf(slowGot), range(1, 1000));
}

void TestNatsReplicas::replicasShareAStreamOverTlsAsAnNkeyUser()
{
    TestCertificates certificates;
    QVERIFY2(certificates.make(), qPrintable(certificates.errorString()));
    NatsIdentities identities;
    QVERIFY2(identities.isValid(), qPrintable(identities.errorString()));
    NatsServer nats({QStringLiteral("-c"), identities.nkeyServerConfig(), QStringLiteral("--tls"),
                     QStringLiteral("--tlscert"), certificates.serverCertificate(), QStringLiteral("--tlskey"),
                     certificates.serverKey()});
    QVERIFY2(nats.start(), qPrintable(nats.errorString()));
    const QString trust = QStringLiteral("tls_ca=") + certificates.authority();
    const auto first = replica(nats, nullptr, trust + QStringLiteral("&nkey=") + identities.seedFile());
    const auto second = replica(nats, nullptr, trust + QStringLiteral("&nkey=") + identities.seedFile());
    QVERIFY(first && second);
    QTRY_VERIFY_WITH_TIMEOUT(first->isPublishing() && second->isPublishing(), kWaitMs);
    const auto source = reader(*second);
    EventCollector collected(source.get());
    QTRY_COMPARE_WITH_TIMEOUT(second->subscriberCount(), 1, kWaitMs);
    QCOMPARE(post(*first, QStringLiteral("/publish"), clicks(1, 20)).status, 202);
    QTRY_COMPARE_WITH_TIMEOUT(idsOf(collected).size(), qsizetype(20), kWaitMs);
    QCOMPARE(idsOf(collected), range(1, 20));

    // A replica the server does not let in says why, and publishes nothing.
    const auto stranger = replica(nats, nullptr, trust + QStringLiteral("&nkey=") + identities.strangerSeedFile());
    QVERIFY(stranger);
    QTRY_VERIFY_WITH_TIMEOUT(stranger->publishingProblem().contains(u"Authorization Violation"), kWaitMs);
    QVERIFY(!stranger->isPublishing());
    QCOMPARE(post(*stranger, QStringLiteral("/publish"), clicks(21, 21)).status, 503);
    // Nor does one whose seed file cannot be read (it is read at each connection).
    const auto unread = replica(nats, nullptr, trust + QStringLiteral("&nkey=/nonexistent/u.nk"));
    QVERIFY(unread);
    QTRY_VERIFY_WITH_TIMEOUT(unread->publishingProblem().contains(u"nkey=: cannot read"), kWaitMs);
    QCOMPARE(post(*unread, QStringLiteral("/publish"), clicks(21, 21)).status, 503);
}

QTEST_GUILESS_MAIN(TestNatsReplicas)
#include "tst_natsreplicas.moc"
