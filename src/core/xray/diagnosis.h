// SPDX-License-Identifier: MIT
#pragma once

#include "core/xray/connectionlog.h"

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <deque>

namespace Clickscope {

// Something the X-ray concluded about how a stream is delivered, with what it rests on.
struct Finding
{
    enum class Kind {
        AuthFailure,           // 401/403
        WrongContentType,      // 200, but not text/event-stream
        BufferingSuspected,    // events arrive in bursts after silences
        HeartbeatMissing,      // silent for much longer than its heartbeats' interval
        ReconnectStorm,        // many reconnects a minute
        ReplayOnReconnect,     // ids start again after a reconnect
        CrossOriginRedirect,   // redirected to another origin (credentials stay behind)
    };
    enum class Severity { Info, Warning, Error };

    Kind kind = Kind::BufferingSuspected;
    Severity severity = Severity::Info;
    QString statement;      // one line, for people
    QStringList evidence;   // what the statement rests on, one fact per line
    bool ongoing = false;   // still the case now, not only earlier in the stream

    static QString nameOf(Kind kind);   // "buffering-suspected"
    static QString nameOf(Severity severity);
    QJsonObject toJson() const;
};

// The thresholds of the findings: what counts as a burst, a missing heartbeat, a storm.
struct DiagnosisSettings
{
    // A burst: reads closer than burstJoinMs to each other and all within burstMaxSpanMs, after
    // at least burstSilenceMs of nothing, holding at least burstMinEvents events. (A stream that
    // resumes steadily after a pause reads on for longer: that is no burst.) Buffering is
    // suspected when bufferingBursts of them carry at least half of the events read.
    qint64 burstSilenceMs = 1000;
    qint64 burstJoinMs = 100;
    qint64 burstMaxSpanMs = 500;
    quint64 burstMinEvents = 10;
    int bufferingBursts = 3;
    // Silence beyond heartbeatFactor × the mean heartbeat interval (and at least
    // heartbeatMinSilenceMs), once heartbeatMinIntervals intervals were seen.
    int heartbeatFactor = 3;
    qint64 heartbeatMinSilenceMs = 1000;
    quint64 heartbeatMinIntervals = 2;
    // This many reconnects within stormWindowMs. A failing server backs off (see ReconnectPolicy)
    // to fewer than ten a minute, so only connections that open and are closed again get here.
    int stormReconnects = 10;
    qint64 stormWindowMs = 60'000;
};

// A burst of reads after a silence (see DiagnosisSettings): when it began and what it carried.
struct Burst
{
    qint64 atMs = 0;   // the log's clock
    quint64 events = 0;
    qint64 spanMs = 0;   // from its first read to its last
};

// The bursts among `samples`: what buffering-suspected counts, and what a timeline marks.
QList<Burst> findBursts(const std::deque<ReadSample> &samples, const DiagnosisSettings &settings = {});

// Whether `findings` hold one of `kind`.
bool hasFinding(const QList<Finding> &findings, Finding::Kind kind);

// The findings a connection history shows at `nowMs` (the log's clock), the most severe first.
// Pure: the same history gives the same findings, whoever asks.
QList<Finding> diagnose(const std::deque<ConnectionAttempt> &attempts, const std::deque<ReadSample> &samples,
                        qint64 nowMs, const DiagnosisSettings &settings = {});
QList<Finding> diagnose(const ConnectionLog &log, const DiagnosisSettings &settings = {});

}   // namespace Clickscope
