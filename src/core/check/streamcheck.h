// SPDX-License-Identifier: MIT
#pragma once

#include "core/result.h"
#include "core/source/sourceconfig.h"

#include <QList>
#include <QString>
#include <QStringList>
#include <QtGlobal>

#include <array>
#include <optional>

namespace Clickscope {

// What a live stream has shown so far, as the checks read it. The reader of the stream fills it
// in; `over` says that nothing more will come (the time is up, or the stream stopped).
struct StreamMeasurements
{
    qint64 elapsedMs = 0;                 // since checking began
    std::optional<int> status;            // of the latest response that was not a redirect
    std::optional<qint64> firstEventMs;   // when the first event arrived, since checking began
    qint64 longestSilenceMs = 0;          // the longest wait for the next byte, the current one included
    quint64 events = 0;
    quint64 gaps = 0;
    quint64 duplicates = 0;
    quint64 undecodable = 0;
    quint64 reconnects = 0;
    std::optional<double> latencyP99Ms;   // nothing until a click carried its time
    bool doneMarker = false;              // the stream ended with its end marker
    // The Content-Type of the latest response that was not a redirect (empty when it had none);
    // nothing for a WebSocket or before a response came.
    std::optional<QString> contentType;
    bool webSocketAccepted = false;    // a WebSocket handshake (101) was answered
    bool bufferingSuspected = false;   // the X-ray's buffering finding showed
    bool over = false;

    // Beside a second stream that should carry the same clicks (see StreamComparison).
    struct Comparison
    {
        bool countsOnly = false;           // a snapshot stream: counts compared, not events
        std::array<qint64, 2> counted{};   // the clicks each stream counts in the comparison
        std::array<quint64, 2> keyed{};    // the clicks each stream delivered with a key to pair by
        quint64 matched = 0;
        quint64 missingInSecond = 0;   // the first stream's clicks the second did not deliver in time
        quint64 missingInFirst = 0;
        quint64 inFlight = 0;   // unpaired, but the other stream may still deliver them
    };
    std::optional<Comparison> comparison;
};

class ClickAggregator;
class ConnectionLog;
class StreamComparison;

// The measurements of a stream now, from its X-ray and its aggregate: what the CLI's `check` and
// the window judge alike. `doneMarker` is the stream's end marker, if it has one. Leaves
// `bufferingSuspected` and `over` to the caller: the one needs diagnose(), the other the caller's
// end.
StreamMeasurements measureStream(const ConnectionLog &log, const ClickAggregator &aggregate,
                                 const std::optional<QByteArray> &doneMarker);

// How two streams compare at `nowMs`, as the same-events check reads it.
StreamMeasurements::Comparison measureComparison(const StreamComparison &comparison, qint64 nowMs);

// One expectation about a live stream, written as on the command line:
//
//   events>=N  gaps=0  duplicates=0  undecodable=0  reconnects<=2   counts, which only grow
//   first-event<=2s  heartbeat<=30s  latency.p99<=500ms  times, with a unit (ms or s)
//   rate>=10/s  rate<=1000/s                            events per second over the whole run
//   status=200                                          the stream's response (101 for WebSocket)
//   done                                                the end marker ([DONE]) arrives
//   content-type                                        the answer is text/event-stream (or a WebSocket)
//   no-buffering                                        events do not arrive in bursts (see diagnose())
//   same-events                                         a second stream delivers the same clicks
//
// Counts take =, <=, <, >=, >; the status takes =; times take <= and <; rates all but =. A check is decided as soon
// as the stream can no longer change its outcome (gaps=0 fails at the first gap, events>=100
// passes at the hundredth event) and otherwise when the stream is over.
class StreamCheck
{
public:
    enum class Metric {
        Status,
        Events,
        Gaps,
        Duplicates,
        Undecodable,
        Reconnects,
        FirstEvent,
        Heartbeat,
        LatencyP99,
        Rate,
        Done,
        ContentType,
        NoBuffering,
        SameEvents
    };
    enum class Op { Equal, AtMost, Below, AtLeast, Above };
    enum class State { Pending, Passed, Failed };

    struct Outcome
    {
        State state = State::Pending;
        QString measured;   // the value the verdict rests on, with its unit ("3", "1.25 s")
    };

    // The expression, or why it is not one, naming the bad part.
    static Result<StreamCheck> parse(const QString &expression);
    // Every expression, or the first bad one.
    static Result<QList<StreamCheck>> parseAll(const QStringList &expressions);
    // The names a check may start with, for messages and help.
    static QString knownNames();

    Outcome judge(const StreamMeasurements &measured) const;

    // As written, normalised ("gaps=0", "first-event<=2s").
    QString text() const { return m_text; }
    Metric metric() const { return m_metric; }

private:
    StreamCheck(Metric metric, Op op, double target, QString text);
    bool holds(double value) const;
    Outcome judgeSameEvents(const StreamMeasurements &measured) const;

    Metric m_metric = Metric::Done;
    Op m_op = Op::Equal;
    double m_target = 0;   // a count, milliseconds, or events per second
    QString m_text;
};

// What `checks` need of the stream they judge: `done` needs an end marker, "[DONE]" unless
// `config` names one.
void prepareForChecks(SourceConfig &config, const QList<StreamCheck> &checks);

// Checks and their outcomes so far, judged as a stream goes: a decided check stays decided.
class CheckSet
{
public:
    CheckSet() = default;
    explicit CheckSet(QList<StreamCheck> checks);

    // Judges the pending checks; returns the indexes of those decided now.
    QList<qsizetype> judge(const StreamMeasurements &measured);
    // Fails what is still pending (the run was stopped before it was decided); returns those.
    QList<qsizetype> interrupt();

    const QList<StreamCheck> &checks() const { return m_checks; }
    const QList<StreamCheck::Outcome> &outcomes() const { return m_outcomes; }
    bool isEmpty() const { return m_checks.isEmpty(); }
    bool anyPending() const;
    int failures() const;
    // Some check rests on the X-ray's findings, which cost more to make than the rest.
    bool needsFindings() const;
    // Some check compares with a second stream.
    bool needsComparison() const;

private:
    QList<StreamCheck> m_checks;
    QList<StreamCheck::Outcome> m_outcomes;
};

}   // namespace Clickscope
