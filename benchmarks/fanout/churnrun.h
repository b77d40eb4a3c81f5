// SPDX-License-Identifier: MIT
#pragma once

#include "fanout/publisherclients.h"

#include <QCoreApplication>
#include <QTcpSocket>

namespace Clickscope::Bench {

using namespace std::chrono_literals;

// ---------------------------------------------------------------------------------------------
// churn: open, see the response head, abort; many times; the server's RSS before and after.

class ChurnRun : public QObject
{
    Q_OBJECT
public:
    struct Settings
    {
        QUrl base;
        qint64 cycles = 10'000;
        int concurrency = 100;
        qint64 warmup = 1'000;
        qint64 serverPid = 0;
        int rounds = 1;
        int pauseSeconds = 0;
    };

    explicit ChurnRun(Settings settings) : m_settings(std::move(settings)), m_stats(m_settings.base) {}

    void start()
    {
        progress("warm-up: %lld cycles", static_cast<long long>(m_settings.warmup));
        runCycles(m_settings.warmup, [this] { settleThen([this](qint64) { measureBefore(); }); });
    }

private:
    void measureBefore()
    {
        m_rssBefore = residentKb(m_settings.serverPid);
        if (!m_rssBefore) {
            progress("cannot read VmRSS of pid %lld", static_cast<long long>(m_settings.serverPid));
            QCoreApplication::exit(kExitFailed);
            return;
        }
        progress("server RSS %lld kB; churning %d x %lld cycles, %d at a time", static_cast<long long>(*m_rssBefore),
                 m_settings.rounds, static_cast<long long>(m_settings.cycles), m_settings.concurrency);
        runRound();
    }

    // One round: `cycles` connections, then the server's RSS once it counts no stream. Later
    // rounds come after a pause, so that whatever the server keeps for a while after a connection
    // (not leaked, just not yet released) is gone before the next round: memory a round needs
    // afresh is then growth, not timing.
    void runRound()
    {
        m_clock.start();
        runCycles(m_settings.cycles, [this] {
            if (m_roundSeconds.isEmpty())
                m_roundSeconds.append(seconds(m_clock));
            settleThen([this](qint64 subscribersAfter) {
                m_rssAfterRounds.append(residentKb(m_settings.serverPid).value_or(-1));
                if (m_rssAfterRounds.size() < m_settings.rounds) {
                    progress("round %lld: RSS %lld kB; pausing %d s", static_cast<long long>(m_rssAfterRounds.size()),
                             static_cast<long long>(m_rssAfterRounds.last()), m_settings.pauseSeconds);
                    QTimer::singleShot(std::chrono::seconds(m_settings.pauseSeconds), this, &ChurnRun::runRound);
                    return;
                }
                QByteArray rounds;
                for (qint64 kb : std::as_const(m_rssAfterRounds))
                    rounds += (rounds.isEmpty() ? "" : ",") + QByteArray::number(kb);
                std::printf("cycles=%lld rss_before_kb=%lld rss_after_kb=%lld rss_rounds_kb=%s subscribers_after=%lld "
                            "refused=%lld seconds=%.2f\n",
                            static_cast<long long>(m_settings.cycles), static_cast<long long>(*m_rssBefore),
                            static_cast<long long>(m_rssAfterRounds.first()), rounds.constData(),
                            static_cast<long long>(subscribersAfter), static_cast<long long>(m_refused),
                            m_roundSeconds.first());
                std::fflush(stdout);
                QCoreApplication::exit(kExitOk);
            });
        });
    }

    // Waits until the server counts no stream (it frees them on disconnect), then calls `then`.
    void settleThen(std::function<void(qint64)> then)
    {
        m_stats.waitFor([](qint64 n) { return n == 0; }, 10s,
                        [then = std::move(then)](qint64 count, bool met) {
                            if (!met)
                                progress("the server still counts %lld streams 10 s after the last disconnect",
                                         static_cast<long long>(count));
                            then(count);
                        });
    }

    void runCycles(qint64 count, std::function<void()> done)
    {
        m_target = count;
        m_started = 0;
        m_finished = 0;
        m_done = std::move(done);
        if (count == 0) {
            QTimer::singleShot(0, this, [this] { std::exchange(m_done, {})(); });
            return;
        }
        launchMore();
    }

    void launchMore()
    {
        while (m_started < m_target && m_started - m_finished < m_settings.concurrency) {
            ++m_started;
            auto *socket = new QTcpSocket(this);
            auto head = std::make_shared<QByteArray>();
            connect(socket, &QTcpSocket::connected, socket, [socket] { socket->write(kSseRequest); });
            connect(socket, &QTcpSocket::readyRead, this, [this, socket, head] {
                *head += socket->readAll();
                if (!head->contains("\r\n\r\n"))
                    return;
                if (!head->startsWith("HTTP/1.1 200"))
                    ++m_refused;
                cycleDone(socket);
            });
            connect(socket, &QTcpSocket::errorOccurred, this, [this, socket] {
                progress("a churn connection failed: %s", qPrintable(socket->errorString()));
                QCoreApplication::exit(kExitFailed);
            });
            socket->connectToHost(m_settings.base.host(), quint16(m_settings.base.port()));
        }
    }

    void cycleDone(QTcpSocket *socket)
    {
        socket->disconnect(this);
        socket->abort();   // a client that vanishes, as a closed browser tab does
        socket->deleteLater();
        ++m_finished;
        if (m_finished == m_target) {
            std::exchange(m_done, {})();
            return;
        }
        launchMore();
    }

    Settings m_settings;
    StatsPoller m_stats;
    QElapsedTimer m_clock;
    std::optional<qint64> m_rssBefore;
    QList<qint64> m_rssAfterRounds;
    QList<double> m_roundSeconds;
    std::function<void()> m_done;
    qint64 m_target = 0;
    qint64 m_started = 0;
    qint64 m_finished = 0;
    qint64 m_refused = 0;
};

// ---------------------------------------------------------------------------------------------

}   // namespace Clickscope::Bench
