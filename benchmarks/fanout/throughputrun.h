// SPDX-License-Identifier: MIT
#pragma once

#include "core/sse/eventsource.h"
#include "fanout/publisherclients.h"

#include <QCoreApplication>

namespace Clickscope::Bench {

using namespace std::chrono_literals;

// ---------------------------------------------------------------------------------------------
// throughput: publisher → one EventSource, as fast as the publisher takes the POSTs.

class ThroughputRun : public QObject
{
    Q_OBJECT
public:
    ThroughputRun(const QUrl &base, qint64 clicks, qint64 batch)
        : m_clicks(clicks)
        , m_batch(batch)
        , m_poster(base)
        , m_stats(base)
        , m_source(makeConfig(base))
    {
        connect(&m_source, &Clickscope::StreamSource::stateChanged, this, [this](Clickscope::StreamSource::State s) {
            if (s == Clickscope::StreamSource::State::Open && !m_clock.isValid()) {
                m_clock.start();
                postMore();
            }
        });
        connect(&m_source, &Clickscope::StreamSource::failed, this,
                [](Clickscope::StreamSource::Error, const QString &message) {
                    progress("EventSource failed: %s", qPrintable(message));
                    QCoreApplication::exit(kExitFailed);
                });
        connect(&m_source, &Clickscope::StreamSource::eventsReceived, this, &ThroughputRun::countEvents);
    }

    // The publisher's count first, so that what this run published can be told from earlier runs.
    void start()
    {
        m_stats.fetch([this](const QJsonObject &stats) {
            m_publishedBefore = stats.value(QStringLiteral("clicksPublished")).toInteger(-1);
            m_refusedBefore = stats.value(QStringLiteral("refusedRequests")).toInteger(-1);
            m_source.open();
        });
    }

private:
    static Clickscope::SourceConfig makeConfig(const QUrl &base)
    {
        Clickscope::SourceConfig config;
        config.url = base.resolved(QUrl(QStringLiteral("/events")));
        config.reconnect = false;   // a reconnection would lose clicks and hide it
        return config;
    }

    void postMore()
    {
        while (m_poster.inFlight() < kThroughputInFlight && m_posted < m_clicks) {
            const qint64 n = std::min(m_batch, m_clicks - m_posted);
            m_posted += n;
            m_poster.publish(n, [this] { postMore(); });
        }
    }

    void countEvents(const Clickscope::SseBatch &events)
    {
        for (const Clickscope::SseEventView event : events) {
            if (event.type() == "click")
                ++m_received;
        }
        if (m_received < m_clicks || m_reported)
            return;
        m_reported = true;
        const double elapsed = seconds(m_clock);
        m_source.close();
        // Our publisher counts what it published and the requests it refused (the connections it
        // closed at its per-connection byte budget among them); a peer without them reports -1.
        m_stats.fetch([this, elapsed](const QJsonObject &stats) {
            const auto since = [&stats](const char *key, qint64 before) -> long long {
                const qint64 now = stats.value(QLatin1String(key)).toInteger(-1);
                return before < 0 || now < 0 ? -1 : now - before;
            };
            std::printf("clicks=%lld bytes=%llu seconds=%.6f post_retries=%lld server_published=%lld "
                        "server_refused=%lld\n",
                        static_cast<long long>(m_received), static_cast<unsigned long long>(m_source.totalBytes()),
                        elapsed, static_cast<long long>(m_poster.retries()),
                        since("clicksPublished", m_publishedBefore), since("refusedRequests", m_refusedBefore));
            std::fflush(stdout);
            QCoreApplication::exit(kExitOk);
        });
    }

    qint64 m_clicks;
    qint64 m_batch;
    qint64 m_posted = 0;
    qint64 m_received = 0;
    qint64 m_publishedBefore = -1;
    qint64 m_refusedBefore = -1;
    bool m_reported = false;
    Poster m_poster;
    StatsPoller m_stats;
    Clickscope::EventSource m_source;
    QElapsedTimer m_clock;
};

}   // namespace Clickscope::Bench
