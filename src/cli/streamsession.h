// SPDX-License-Identifier: MIT
#pragma once

#include "cli/signalwatcher.h"

#include "core/source/streamsource.h"

#include <QObject>
#include <QTimer>

#include <memory>
#include <optional>
#include <vector>

namespace Clickscope::Cli {

// The life of a command that reads one stream, or several at once: opens them, reports state
// changes and errors on stderr (one line each, prefixed with the stream's number when there are
// several), and ends when every stream has ended, at a deadline or on SIGINT/SIGTERM, with the exit
// code the commands share (an error when any stream ended in one). Commands attach to source()
// and to finishing().
class StreamSession : public QObject
{
    Q_OBJECT
public:
    StreamSession(const SourceConfig &config, std::optional<double> timeoutSeconds);
    StreamSession(const QList<SourceConfig> &configs, std::optional<double> timeoutSeconds);
    // A session over a source made elsewhere (a recording played back).
    StreamSession(std::unique_ptr<StreamSource> source, std::optional<double> timeoutSeconds);

    StreamSource &source(qsizetype index = 0) { return *m_sources.at(std::size_t(index)); }
    qsizetype sourceCount() const { return qsizetype(m_sources.size()); }
    // The latest of the streams' clocks (a replay keeps its recording's): "now" for comparing them.
    qint64 clockMs() const;
    // Runs the event loop until finish(); returns the exit code.
    int run();
    // Ends the session (once): closes the stream, emits finishing(), leaves the event loop.
    void finish(int exitCode);
    // From a finishing() slot: the output could not be written, so the session failed after all.
    void markOutputFailed() { m_exitCode = kOutputFailedExitCode; }

    // SIGINT or SIGTERM ended the session, not the stream or the deadline.
    bool interrupted() const { return m_interrupted; }

    static void logLine(const QString &line);

signals:
    // The last chance to write output, before the event loop ends.
    void finishing(int exitCode);

private:
    static constexpr int kOutputFailedExitCode = 1;

    StreamSession(std::vector<std::unique_ptr<StreamSource>> sources, std::optional<double> timeoutSeconds);
    void follow(StreamSource *source, const QString &prefix);
    void sourceClosed();

    std::vector<std::unique_ptr<StreamSource>> m_sources;
    SignalWatcher m_signals;
    QTimer m_deadline;
    int m_exitCode = -1;
    bool m_interrupted = false;
    qsizetype m_closed = 0;
    bool m_anyFailed = false;
};

}   // namespace Clickscope::Cli
