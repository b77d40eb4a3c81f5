// SPDX-License-Identifier: MIT
#include "cli/streamsession.h"

#include "cli/commands.h"

#include "core/source/sourcefactory.h"

#include <QCoreApplication>

#include <cstdio>
#include <limits>

namespace Clickscope::Cli {

void StreamSession::logLine(const QString &line)
{
    std::fprintf(stderr, "%s\n", qPrintable(line));
    std::fflush(stderr);
}

StreamSession::StreamSession(const SourceConfig &config, std::optional<double> timeoutSeconds)
    : StreamSession(createSource(config), timeoutSeconds)
{}

StreamSession::StreamSession(std::unique_ptr<StreamSource> source_, std::optional<double> timeoutSeconds)
    : m_source(std::move(source_))
{
    StreamSource *source = m_source.get();
    connect(source, &StreamSource::stateChanged, this, [this, source](StreamSource::State state) {
        switch (state) {
        case StreamSource::State::Connecting:
            logLine(QStringLiteral("connecting to %1").arg(shownUrl(source->config().url)));
            break;
        case StreamSource::State::Open:
            logLine(QStringLiteral("open"));
            break;
        case StreamSource::State::Closed:
            if (m_exitCode < 0) {
                logLine(m_endReason.isEmpty() ? QStringLiteral("closed") : QStringLiteral("closed: ") + m_endReason);
                finish(source->error() == StreamSource::Error::NoError ? kExitOk : kExitStreamError);
            }
            break;
        }
    });
    connect(source, &StreamSource::ended, this, [this](const QString &reason) { m_endReason = reason; });
    connect(source, &StreamSource::failed, this,
            [](StreamSource::Error, const QString &message) { logLine(QStringLiteral("error: ") + message); });
    connect(source, &StreamSource::eventsDiscarded, this, [this](quint64 count, const QString &reason) {
        m_discarded += count;
        logLine(QStringLiteral("warning: %1 (%2 so far)").arg(reason).arg(m_discarded));
    });
    connect(source, &StreamSource::reconnectScheduled, this, [](qint64 delayMs, const QString &reason) {
        logLine(QStringLiteral("reconnecting in %1 ms: %2").arg(delayMs).arg(reason));
    });
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

int StreamSession::run()
{
    m_source->open();
    const int code = QCoreApplication::exec();
    return m_exitCode >= 0 ? m_exitCode : code;
}

void StreamSession::finish(int exitCode)
{
    if (m_exitCode >= 0)
        return;
    m_exitCode = exitCode;
    m_deadline.stop();
    m_source->close();
    emit finishing(exitCode);
    QCoreApplication::exit(m_exitCode);
}

}   // namespace Clickscope::Cli
