// SPDX-License-Identifier: MIT
#pragma once

#include "cli/signalwatcher.h"

#include "core/source/streamsource.h"

#include <QObject>
#include <QTimer>

#include <memory>
#include <optional>

namespace Clickscope::Cli {

// The life of a command that reads one stream: opens it, reports state changes and errors on
// stderr (one line each), and ends on the stream's end, a deadline or SIGINT/SIGTERM with the
// exit code the commands share. Commands attach to source() and to finishing().
class StreamSession : public QObject
{
    Q_OBJECT
public:
    StreamSession(const SourceConfig &config, std::optional<double> timeoutSeconds);
    // A session over a source made elsewhere (a recording played back).
    StreamSession(std::unique_ptr<StreamSource> source, std::optional<double> timeoutSeconds);

    StreamSource &source() { return *m_source; }
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

    std::unique_ptr<StreamSource> m_source;
    SignalWatcher m_signals;
    QTimer m_deadline;
    int m_exitCode = -1;
    bool m_interrupted = false;
    quint64 m_discarded = 0;
    QString m_endReason;   // why the stream ended cleanly, when it did
};

}   // namespace Clickscope::Cli
