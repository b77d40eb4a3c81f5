// SPDX-License-Identifier: MIT
// clickscope-bench-faults [--rate R] [--drip-seconds S] [--only FAULT,...]
//
// Each fault of tests/support's FaultProxy, and a publisher restart, against our EventSource with
// its default settings (the dashboard's) reading the real publisher at a steady rate. Per fault:
// how long until the client noticed, what it said (the reason the status bar and `listen` show),
// how long until events flowed again, whether it resumed after its Last-Event-ID, and the clicks
// lost and duplicated, by id against what the publisher sent. For the drip, the most the parser and
// the proxy held. One process and one thread: publisher, proxy and client are event-loop driven,
// and every wait has a deadline.
#include "common/eventloopwait.h"
#include "core/model/clickaggregator.h"
#include "core/options/optionreader.h"
#include "core/sse/eventsource.h"
#include "server/testpublisher.h"
#include "support/faultproxy.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QJsonObject>
#include <QTimer>

#include <cstdio>
#include <functional>
#include <map>
#include <memory>

using namespace Clickscope;
using Clickscope::Bench::runFor;
using Clickscope::Bench::runUntil;
using Clickscope::Testing::FaultProxy;

namespace {

struct Outcome
{
    QString fault;
    qint64 detectedMs = -1;   // from the fault to the client's reconnectScheduled
    QString reason;
    qint64 resumedMs = -1;   // from the fault to the first event after reconnecting
    QString resumedAfter;    // "yes" when the first id after reconnecting followed the last before
    qint64 published = 0;
    qint64 lost = 0;
    qint64 duplicated = 0;
    QString memory;   // what was held, for the faults where that is the question
};

// The publisher at a steady rate, the proxy in front of it, an EventSource with default settings
// reading through the proxy, and the ids it received.
class FaultRun : public QObject
{
public:
    explicit FaultRun(int rate) : m_rate(rate)
    {
        m_publishTimer.setInterval(10);
        m_publishTimer.setTimerType(Qt::PreciseTimer);
        connect(&m_publishTimer, &QTimer::timeout, this, [this] { publishTick(); });
    }

    bool start()
    {
        m_publisher = std::make_unique<TestPublisher>(TestPublisher::Settings{});
        if (!m_publisher->listen())
            return false;
        m_proxy = std::make_unique<FaultProxy>(m_publisher->port());
        if (!m_proxy->listen())
            return false;
        SourceConfig config;   // the defaults: what the dashboard uses
        config.url = m_proxy->through(m_publisher->baseUrl().resolved(QUrl(QStringLiteral("/events"))));
        m_source = std::make_unique<EventSource>(config);
        connect(m_source.get(), &StreamSource::eventsReceived, this, [this](const SseBatch &events) {
            for (const SseEventView e : events) {
                const quint64 id = e.lastEventId().toULongLong();
                if (m_firstAfterReconnect == 0 && m_reconnects > 0) {
                    m_firstAfterReconnect = id;
                    m_resumedAt = m_clock.elapsed();
                }
                ++m_received[id];
                m_lastId = id;
            }
            m_aggregator.addEvents(events, QDateTime::currentMSecsSinceEpoch());
        });
        connect(m_source.get(), &StreamSource::reconnectScheduled, this, [this](qint64, const QString &reason) {
            if (m_reconnects++ == 0)
                m_lastBefore = m_lastId;
            m_detectedAt.append(m_clock.elapsed());
            m_reasons.append(reason);
            m_aggregator.addReconnect();
            if (m_onReconnect)
                m_onReconnect(m_reconnects);
        });
        m_source->open();
        if (!runUntil([this] { return m_publisher->subscriberCount() == 1; }, 10'000))
            return false;
        m_publishTimer.start();
        return runUntil([this] { return m_lastId > 0; }, 10'000);
    }

    // Restarts the clock the figures are measured from: the fault's moment.
    void markFault() { m_clock.start(); }
    FaultProxy &proxy() { return *m_proxy; }
    EventSource &source() { return *m_source; }
    void onReconnect(std::function<void(int)> f) { m_onReconnect = std::move(f); }

    // The publisher stops and another starts on its port, with nothing of the first one's.
    bool restartPublisher()
    {
        const quint16 port = m_publisher->port();
        m_publisher.reset();
        m_publishedBefore = m_lastPublished;
        m_lastPublished = 0;
        TestPublisher::Settings settings;
        settings.port = port;
        m_publisher = std::make_unique<TestPublisher>(settings);
        return bool(m_publisher->listen());
    }

    // Stops publishing, waits for the rest to arrive, and fills in the counts; `noticedAt` is the
    // reconnection that tells when the fault was noticed (1: the first).
    void finish(Outcome &out, int noticedAt = 1)
    {
        m_publishTimer.stop();
        runUntil([this] { return (m_reconnects == 0 || m_resumedAt >= 0) && m_lastId >= m_lastPublished; }, 15'000);
        if (m_detectedAt.size() >= noticedAt) {
            out.detectedMs = m_detectedAt.at(noticedAt - 1);
            out.reason = m_reasons.at(noticedAt - 1);
        }
        out.resumedMs = m_resumedAt;
        out.published = qint64(m_publishedBefore + m_lastPublished);
        if (m_publishedBefore > 0) {
            // A restart: ids started again, so the aggregator's totals say what was counted.
            const Totals &totals = m_aggregator.totals();
            out.lost = out.published - qint64(totals.clicks);
            out.duplicated = qint64(totals.duplicates);
            out.resumedAfter = QStringLiteral("snapshot (counter reset %1)").arg(totals.counterResets);
            return;
        }
        out.resumedAfter = m_reconnects == 0 ? QStringLiteral("-")
                           : m_firstAfterReconnect == m_lastBefore + 1
                               ? QStringLiteral("yes (%1)").arg(m_firstAfterReconnect)
                               : QStringLiteral("no: %1 after %2").arg(m_firstAfterReconnect).arg(m_lastBefore);
        for (quint64 id = 1; id <= m_lastPublished; ++id) {
            const auto it = m_received.find(id);
            if (it == m_received.end())
                ++out.lost;
            else if (it->second > 1)
                out.duplicated += qint64(it->second - 1);
        }
    }

private:
    void publishTick()
    {
        QList<QJsonObject> clicks;
        for (int i = 0; i < m_rate / 100; ++i)
            clicks.append({{"link", "/faults"}, {"country", "SE"}});
        const QList<PublishedClick> published = m_publisher->hub().publish(clicks);
        if (!published.isEmpty())
            m_lastPublished = published.last().sequence;
    }

    int m_rate;
    QTimer m_publishTimer;
    QElapsedTimer m_clock;
    std::unique_ptr<TestPublisher> m_publisher;
    std::unique_ptr<FaultProxy> m_proxy;
    std::unique_ptr<EventSource> m_source;
    ClickAggregator m_aggregator;
    std::map<quint64, int> m_received;
    std::function<void(int)> m_onReconnect;
    quint64 m_lastPublished = 0;
    quint64 m_publishedBefore = 0;
    quint64 m_lastId = 0;
    quint64 m_lastBefore = 0;
    quint64 m_firstAfterReconnect = 0;
    int m_reconnects = 0;
    QList<qint64> m_detectedAt;   // each reconnectScheduled, from the fault
    QStringList m_reasons;
    qint64 m_resumedAt = -1;
};

QString seconds(qint64 ms)
{
    return ms < 0 ? QStringLiteral("-") : QString::number(double(ms) / 1000.0, 'f', 2) + QStringLiteral(" s");
}

}   // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("clickscope-bench-faults"));
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Faults between the publisher and our EventSource, with figures."));
    parser.addHelpOption();
    const QCommandLineOption rate(QStringLiteral("rate"), QStringLiteral("Clicks per second (default 200)."),
                                  QStringLiteral("R"), QStringLiteral("200"));
    const QCommandLineOption drip(QStringLiteral("drip-seconds"),
                                  QStringLiteral("How long the drip (one byte a second) lasts (default 20)."),
                                  QStringLiteral("S"), QStringLiteral("20"));
    const QCommandLineOption only(QStringLiteral("only"),
                                  QStringLiteral("Only these faults: cut, reset, half-open, drip, delay, blackhole, "
                                                 "restart (comma-separated)."),
                                  QStringLiteral("LIST"));
    parser.addOptions({rate, drip, only});
    parser.process(app);
    OptionReader read(parser);
    int clicksPerSecond = 0;
    int dripSeconds = 0;
    read.wholeNumber(rate, 100, 100'000, clicksPerSecond);
    read.wholeNumber(drip, 1, 3600, dripSeconds);
    if (const Result<void> ok = read.result(); !ok) {
        std::fprintf(stderr, "clickscope-bench-faults: %s\n", qPrintable(ok.error()));
        return 2;
    }
    const QStringList all{"cut", "reset", "half-open", "drip", "delay", "blackhole", "restart"};
    const QStringList wanted = parser.isSet(only) ? parser.value(only).split(u',') : all;
    for (const QString &name : wanted) {
        if (!all.contains(name)) {
            std::fprintf(stderr, "clickscope-bench-faults: no fault '%s'\n", qPrintable(name));
            return 2;
        }
    }

    std::printf("%-10s %-10s %-9s %-24s %-8s %-7s %-58s %s\n", "fault", "noticed", "flowing", "resumed after id",
                "lost", "dupl.", "what the client said", "held");
    int failures = 0;
    for (const QString &name : wanted) {
        std::fprintf(stderr, "clickscope-bench-faults: %s…\n", qPrintable(name));
        FaultRun run(clicksPerSecond);
        Outcome out;
        out.fault = name;
        if (!run.start()) {
            std::fprintf(stderr, "clickscope-bench-faults: %s: could not start\n", qPrintable(name));
            ++failures;
            continue;
        }
        // Long enough that a restarted publisher is still behind the client's last id when the client
        // is back: ids are per run, so a run that had sent more would take that id for its own.
        runFor(name == u"restart" ? 5000 : 1000);
        run.markFault();
        if (name == u"cut") {
            run.proxy().inject(FaultProxy::Fault::CutMidEvent);
        } else if (name == u"reset") {
            run.proxy().inject(FaultProxy::Fault::Reset);
        } else if (name == u"half-open") {
            run.proxy().inject(FaultProxy::Fault::Stall);
            runUntil([&run] { return run.source().reconnectCount() > 0; },
                     SourceConfig::kDefaultIdleTimeoutMs + 10'000);
        } else if (name == u"drip") {
            run.proxy().inject(FaultProxy::Fault::Drip, 1000);
            qsizetype parserMost = 0;
            qint64 proxyMost = 0;
            QElapsedTimer dripping;
            dripping.start();
            runUntil(
                [&] {
                    parserMost = std::max(parserMost, run.source().parser().bufferedBytes());
                    proxyMost = std::max(proxyMost, run.proxy().heldBytes());
                    return dripping.elapsed() >= dripSeconds * 1000;
                },
                dripSeconds * 1000 + 1000);
            out.memory = QStringLiteral("parser %1 B, proxy %2 KiB").arg(parserMost).arg(proxyMost / 1024);
            run.proxy().heal();
        } else if (name == u"delay") {
            run.proxy().inject(FaultProxy::Fault::Delay, 2000);
            runFor(5000);
            run.proxy().heal();
        } else if (name == u"blackhole") {
            run.proxy().inject(FaultProxy::Fault::Blackhole);
            run.onReconnect([&run](int n) {
                if (n == 2)
                    run.proxy().heal();   // the attempt into the blackhole was given up
            });
            run.proxy().inject(FaultProxy::Fault::Reset);
            runUntil([&run] { return run.source().reconnectCount() >= 2; },
                     SourceConfig::kDefaultConnectTimeoutMs + 15'000);
        } else if (name == u"restart") {
            if (!run.restartPublisher()) {
                std::fprintf(stderr, "clickscope-bench-faults: restart: the port was not free again\n");
                ++failures;
                continue;
            }
        }
        runFor(1000);
        run.finish(out, name == u"blackhole" ? 2 : 1);
        if (out.lost != 0 || out.duplicated != 0)
            ++failures;
        std::printf("%-10s %-10s %-9s %-24s %-8lld %-7lld %-58s %s\n", qPrintable(out.fault),
                    qPrintable(seconds(out.detectedMs)), qPrintable(seconds(out.resumedMs)),
                    qPrintable(out.resumedAfter), qlonglong(out.lost), qlonglong(out.duplicated),
                    qPrintable(out.reason.left(58)),
                    qPrintable(out.memory.isEmpty() ? QStringLiteral("-") : out.memory));
        std::fflush(stdout);
    }
    std::printf("%d clicks/s; client defaults: retry from the server (publisher: 3 s), idle timeout %d s, connect "
                "timeout %d s. lost/dupl.: by id against what the publisher sent (after a restart, by total).\n",
                clicksPerSecond, SourceConfig::kDefaultIdleTimeoutMs / 1000,
                SourceConfig::kDefaultConnectTimeoutMs / 1000);
    return failures == 0 ? 0 : 1;
}
