// SPDX-License-Identifier: MIT
// The EventSource reading the real publisher through a FaultProxy that fails on demand: a
// connection cut mid-event, reset, stalled (half-open), dripping, delayed, and new connections
// blackholed. Each time the stream must be resumed with Last-Event-ID with no click lost and none
// repeated (by id, against what the publisher sent), and memory must stay within the caps.
#include "core/source/sourcefactory.h"
#include "core/sse/eventsource.h"
#include "server/testpublisher.h"
#include "support/eventcollector.h"
#include "support/faultproxy.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTest>
#include <QTimer>

#include <memory>

using namespace Clickscope;
using Clickscope::Testing::EventCollector;
using Clickscope::Testing::FaultProxy;

namespace {

constexpr int kWaitMs = 15'000;

QList<QJsonObject> clicks(int n, qsizetype referrerBytes = 0)
{
    QList<QJsonObject> out;
    for (int i = 0; i < n; ++i) {
        QJsonObject click{{"link", "/faults"}, {"country", "SE"}};
        if (referrerBytes > 0)
            click.insert("referrer", QString(referrerBytes, u'r'));
        out.append(click);
    }
    return out;
}

// The publisher, the proxy in front of it, and an EventSource reading through the proxy, open
// and subscribed, with the first `n` clicks received.
struct Rig
{
    explicit Rig(SourceConfig config = {}, const QString &path = QStringLiteral("/events"))
    {
        TestPublisher::Settings settings;
        settings.retryMs = 100;   // reconnections in a test's time; the backoff still applies
        publisher = std::make_unique<TestPublisher>(settings);
        if (!publisher->listen())
            return;
        proxy = std::make_unique<FaultProxy>(publisher->port());
        if (!proxy->listen())
            return;
        config.url = proxy->through(publisher->baseUrl().resolved(QUrl(path)));
        if (path.startsWith(u"/ws"))
            config.url.setScheme(QStringLiteral("ws"));
        source = createSource(config);
        events = std::make_unique<EventCollector>(source.get());
        QObject::connect(source.get(), &StreamSource::reconnectScheduled, source.get(),
                         [this](qint64, const QString &reason) { reasons.append(reason); });
        source->open();
    }

    bool openWith(int n)
    {
        if (!QTest::qWaitFor([this] { return publisher->subscriberCount() == 1; }, kWaitMs))
            return false;
        publisher->hub().publish(clicks(n));
        return QTest::qWaitFor([this, n] { return events->events.size() == n; }, kWaitMs);
    }

    // Runs the event loop until `n` events have come, or kWaitMs passed. Unlike QTRY's waits,
    // which sleep 10 ms between rounds, this lets a drip of one byte a millisecond run at its pace.
    bool runUntilEvents(qsizetype n)
    {
        QEventLoop loop;
        QTimer::singleShot(kWaitMs, &loop, &QEventLoop::quit);
        QObject::connect(source.get(), &StreamSource::eventsReceived, &loop, [this, n, &loop] {
            if (events->events.size() >= n)
                loop.quit();
        });
        if (events->events.size() < n)
            loop.exec();
        return events->events.size() == n;
    }

    // The ids received, in order.
    QList<quint64> ids() const
    {
        QList<quint64> out;
        for (const SseEvent &e : events->events)
            out.append(e.lastEventId().toULongLong());
        return out;
    }

    QStringList reasons;   // of each reconnection (first: it outlives the source that fills it)
    std::unique_ptr<TestPublisher> publisher;
    std::unique_ptr<FaultProxy> proxy;
    std::unique_ptr<StreamSource> source;
    std::unique_ptr<EventCollector> events;
};

// 1, 2, … n: every click the publisher sent, each once, in order.
QList<quint64> oneToN(quint64 n)
{
    QList<quint64> out;
    for (quint64 i = 1; i <= n; ++i)
        out.append(i);
    return out;
}

}   // namespace

class TestStreamFaults : public QObject
{
    Q_OBJECT

private slots:
    void aConnectionCutMidEventIsResumedWithNothingLostOrRepeated();
    void aResetConnectionIsResumed();
    void aHalfOpenConnectionIsEndedByTheIdleTimeout();
    void aDrippingServerStaysWithinTheCaps();
    void aDelayedStreamLosesNothing();
    void blackholedAttemptsAreGivenUpAndRetried();
    void aSilentWebSocketIsPingedAndAStalledOneTimesOut();
};

void TestStreamFaults::aConnectionCutMidEventIsResumedWithNothingLostOrRepeated()
{
    Rig rig;
    QVERIFY(rig.source);
    QVERIFY(rig.openWith(20));
    QByteArray lastRead;
    QByteArray readBeforeCut;
    QObject::connect(rig.source.get(), &StreamSource::rawReceived, rig.source.get(),
                     [&lastRead](const QByteArray &bytes) { lastRead = bytes; });
    QObject::connect(rig.source.get(), &StreamSource::reconnectScheduled, rig.source.get(),
                     [&] { readBeforeCut = lastRead; });
    rig.proxy->inject(FaultProxy::Fault::CutMidEvent);
    rig.publisher->hub().publish(clicks(10));   // the 21st reaches the client half written
    QTRY_COMPARE_WITH_TIMEOUT(rig.events->events.size(), qsizetype(30), kWaitMs);
    QVERIFY2(readBeforeCut.endsWith("data: "), readBeforeCut.constData());   // the event's start, not its end
    QCOMPARE(rig.ids(), oneToN(30));
    QCOMPARE(rig.source->reconnectCount(), quint64(1));
    QCOMPARE(rig.proxy->connectionsAccepted(), 2);
    QCOMPARE(static_cast<EventSource *>(rig.source.get())->lastEventId(), QByteArray("30"));
}

void TestStreamFaults::aResetConnectionIsResumed()
{
    Rig rig;
    QVERIFY(rig.source);
    QVERIFY(rig.openWith(20));
    rig.proxy->inject(FaultProxy::Fault::Reset);
    rig.publisher->hub().publish(clicks(10));   // while the client is away: replayed on resumption
    QTRY_COMPARE_WITH_TIMEOUT(rig.events->events.size(), qsizetype(30), kWaitMs);
    QCOMPARE(rig.ids(), oneToN(30));
    QCOMPARE(rig.source->reconnectCount(), quint64(1));
    QCOMPARE(rig.reasons.size(), 1);
}

void TestStreamFaults::aHalfOpenConnectionIsEndedByTheIdleTimeout()
{
    SourceConfig config;
    config.idleTimeoutMs = 1500;
    Rig rig(config);
    QVERIFY(rig.source);
    QVERIFY(rig.openWith(20));
    rig.proxy->inject(FaultProxy::Fault::Stall);
    rig.publisher->hub().publish(clicks(10));   // sent, and never passed on
    QTRY_COMPARE_WITH_TIMEOUT(rig.events->events.size(), qsizetype(30), kWaitMs);
    QCOMPARE(rig.ids(), oneToN(30));
    QCOMPARE(rig.reasons, QStringList{QStringLiteral("no data for 1500 ms")});
}

void TestStreamFaults::aDrippingServerStaysWithinTheCaps()
{
    SourceConfig config;
    config.limits.maxLineBytes = 512;
    config.limits.maxEventBytes = 512;
    config.idleTimeoutMs = 2000;   // a byte every few ms is not idle
    Rig rig(config);
    QVERIFY(rig.source);
    QVERIFY(rig.openWith(5));
    qsizetype mostBuffered = 0;
    quint64 reads = 0;
    QObject::connect(rig.source.get(), &StreamSource::rawReceived, rig.source.get(), [&] {
        ++reads;
        mostBuffered = std::max(mostBuffered, static_cast<EventSource *>(rig.source.get())->parser().bufferedBytes());
    });
    QSignalSpy discarded(rig.source.get(), &StreamSource::eventsDiscarded);
    rig.proxy->inject(FaultProxy::Fault::Drip, 1);
    rig.publisher->hub().publish(clicks(1, 2000));   // a line four times the cap, a byte at a time
    rig.publisher->hub().publish(clicks(1));
    QVERIFY(rig.runUntilEvents(6));
    QCOMPARE(discarded.size(), 1);
    QCOMPARE(rig.events->events.last().lastEventId(), QByteArrayView("7"));
    QVERIFY2(reads > 1000, qPrintable(QString::number(reads)));   // it did arrive in drops
    // A line up to its cap (with the event type), the data up to its: never the whole line.
    QVERIFY2(mostBuffered <= 512 + 512, qPrintable(QString::number(mostBuffered)));
    QCOMPARE(rig.source->reconnectCount(), quint64(0));
}

void TestStreamFaults::aDelayedStreamLosesNothing()
{
    Rig rig;
    QVERIFY(rig.source);
    QVERIFY(rig.openWith(20));
    rig.proxy->inject(FaultProxy::Fault::Delay, 300);
    QElapsedTimer sent;
    sent.start();
    rig.publisher->hub().publish(clicks(10));
    QTRY_COMPARE_WITH_TIMEOUT(rig.events->events.size(), qsizetype(30), kWaitMs);
    QVERIFY2(sent.elapsed() >= 300, qPrintable(QString::number(sent.elapsed())));   // held, not lost
    QCOMPARE(rig.ids(), oneToN(30));
    QCOMPARE(rig.source->reconnectCount(), quint64(0));
}

void TestStreamFaults::blackholedAttemptsAreGivenUpAndRetried()
{
    SourceConfig config;
    config.connectTimeoutMs = 500;
    Rig rig(config);
    QVERIFY(rig.source);
    QVERIFY(rig.openWith(20));
    rig.proxy->inject(FaultProxy::Fault::Blackhole);
    // The reset sends the client to reconnect into the blackhole; when that attempt is given up,
    // the server comes back.
    QObject::connect(rig.source.get(), &StreamSource::reconnectScheduled, rig.proxy.get(), [&rig] {
        if (rig.reasons.size() == 2)
            rig.proxy->heal();
    });
    rig.proxy->inject(FaultProxy::Fault::Reset);
    rig.publisher->hub().publish(clicks(10));
    QTRY_COMPARE_WITH_TIMEOUT(rig.events->events.size(), qsizetype(30), kWaitMs);
    QCOMPARE(rig.ids(), oneToN(30));
    QCOMPARE(rig.reasons.size(), 2);
    QVERIFY2(rig.reasons.last().contains(QStringLiteral("no response within 0.5 s")), qPrintable(rig.reasons.last()));
    QCOMPARE(rig.proxy->connectionsAccepted(), 3);
}

void TestStreamFaults::aSilentWebSocketIsPingedAndAStalledOneTimesOut()
{
    SourceConfig config;
    config.idleTimeoutMs = 1500;
    Rig rig(config, QStringLiteral("/ws"));
    QVERIFY(rig.source);
    QTRY_COMPARE_WITH_TIMEOUT(rig.publisher->subscriberCount(), 1, kWaitMs);
    QTRY_COMPARE_WITH_TIMEOUT(rig.source->state(), StreamSource::State::Open, kWaitMs);
    // Nothing to say: the source pings every 500 ms, the server answers, and the connection
    // outlives the idle timeout. A ping from the client is a masked frame of 6 bytes.
    const qint64 sent = rig.proxy->bytesFromClients();
    QTRY_VERIFY_WITH_TIMEOUT(rig.proxy->bytesFromClients() >= sent + 6 * 4, kWaitMs);
    QCOMPARE(rig.source->reconnectCount(), quint64(0));
    QCOMPARE(rig.proxy->connectionsAccepted(), 1);
    // A server that stops answering is idle, pings or not.
    rig.proxy->inject(FaultProxy::Fault::Stall);
    QTRY_COMPARE_WITH_TIMEOUT(rig.reasons.size(), 1, kWaitMs);
    QCOMPARE(rig.reasons.first(), QStringLiteral("no data for 1500 ms"));
    QTRY_COMPARE_WITH_TIMEOUT(rig.source->state(), StreamSource::State::Open, kWaitMs);
    QCOMPARE(rig.proxy->connectionsAccepted(), 2);
}

QTEST_GUILESS_MAIN(TestStreamFaults)
#include "tst_streamfaults.moc"
