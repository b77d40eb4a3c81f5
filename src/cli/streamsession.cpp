// SPDX-License-Identifier: MIT
#include "cli/streamsession.h"

#include "cli/commands.h"

#include "core/source/sourcefactory.h"

#include <QCoreApplication>

#include <algorithm>
#include <cstdio>
#include <limits>
#include <memory>

namespace Clickscope::Cli {

void StreamSession::logLine(const QString &line)
{
    std::fprintf(stderr, "%s\n", qPrintable(line));
    std::fflush(stderr);
}

namespace {

std::vector<std::unique_ptr<StreamSource>> sourcesFor(const QList<SourceConfig> &configs)
{
    std::vector<std::unique_ptr<StreamSource>> sources;
    for (const SourceConfig &config : configs)
        sources.push_back(createSource(config));
    return sources;
}

std::vector<std::unique_ptr<StreamSource>> only(std::unique_ptr<StreamSource> source)
{
    std::vector<std::unique_ptr<StreamSource>> sources;
    sources.push_back(std::move(source));
    return sources;
}

}   // namespace

StreamSession::StreamSession(const SourceConfig &config, std::optional<double> timeoutSeconds)
    : StreamSession(QList<SourceConfig>{config}, timeoutSeconds)
{}

StreamSession::StreamSession(const QList<SourceConfig> &configs, std::optional<double> timeoutSeconds)
    : StreamSession(sourcesFor(configs), timeoutSeconds)
{}

StreamSession::StreamSession(std::unique_ptr<StreamSource> source, std::optional<double> timeoutSeconds)
    : StreamSession(only(std::move(source)), timeoutSeconds)
{}

StreamSession::StreamSession(std::vector<std::unique_ptr<StreamSource>> sources, std::optional<double> timeoutSeconds)
    : m_sources(std::move(sources))
{
    for (std::size_t i = 0; i < m_sources.size(); ++i)
        follow(m_sources[i].get(), m_sources.size() > 1 ? QStringLiteral("[%1] ").arg(i + 1) : QString());
    connect(&m_signals, &SignalWatcher::terminationRequested, this, [this](int signalNumber) {
        logLine(QStringLiteral("stopped by signal %1").arg(signalNumber));
        m_interrupted = true;
        finish(kExitOk);
    });
    if (timeoutSeconds) {
        m_deadline.setSingleShot(true);
        connect(&m_deadline, &QTimer::timeout, this, [this] { finish(kExitOk); });
        m_deadline.start(int(std::min(*timeoutSeconds * 1000.0, double(std::numeric_limits<int>::max()))));
    }
}

void StreamSession::follow(StreamSource *source, const QString &prefix)
{
    // Why the stream ended cleanly, when it did.
    auto endReason = std::make_shared<QString>();
    auto discarded = std::make_shared<quint64>(0);
    connect(source, &StreamSource::stateChanged, this, [this, source, prefix, endReason](StreamSource::State state) {
        switch (state) {
        case StreamSource::State::Connecting:
            logLine(prefix + QStringLiteral("connecting to %1").arg(shownUrl(source->config().url)));
            break;
        case StreamSource::State::Open:
            logLine(prefix + QStringLiteral("open"));
            break;
        case StreamSource::State::Closed:
            if (m_exitCode < 0) {
                logLine(prefix
                        + (endReason->isEmpty() ? QStringLiteral("closed") : QStringLiteral("closed: ") + *endReason));
                m_anyFailed = m_anyFailed || source->error() != StreamSource::Error::NoError;
                sourceClosed();
            }
            break;
        }
    });
    connect(source, &StreamSource::ended, this, [endReason](const QString &reason) { *endReason = reason; });
    connect(source, &StreamSource::failed, this, [prefix](StreamSource::Error, const QString &message) {
        logLine(prefix + QStringLiteral("error: ") + message);
    });
    connect(source, &StreamSource::eventsDiscarded, this, [prefix, discarded](quint64 count, const QString &reason) {
        *discarded += count;
        logLine(prefix + QStringLiteral("warning: %1 (%2 so far)").arg(reason).arg(*discarded));
    });
    connect(source, &StreamSource::reconnectScheduled, this, [prefix](qint64 delayMs, const QString &reason) {
        logLine(prefix + QStringLiteral("reconnecting in %1 ms: %2").arg(delayMs).arg(reason));
    });
}

void StreamSession::sourceClosed()
{
    if (++m_closed == sourceCount())
        finish(m_anyFailed ? kExitStreamError : kExitOk);
}

qint64 StreamSession::clockMs() const
{
    qint64 latest = 0;
    for (const auto &source : m_sources)
        latest = std::max(latest, source->clockMs());
    return latest;
}

int StreamSession::run()
{
    for (const auto &source : m_sources)
        source->open();
    const int code = QCoreApplication::exec();
    return m_exitCode >= 0 ? m_exitCode : code;
}

void StreamSession::finish(int exitCode)
{
    if (m_exitCode >= 0)
        return;
    // One of several streams that failed earlier fails the session, however it ends.
    m_exitCode = exitCode == kExitOk && m_anyFailed ? kExitStreamError : exitCode;
    m_deadline.stop();
    for (const auto &source : m_sources)
        source->close();
    emit finishing(m_exitCode);
    QCoreApplication::exit(m_exitCode);
}

}   // namespace Clickscope::Cli
