// SPDX-License-Identifier: MIT
#pragma once

#include "sseevent.h"

#include <QList>

#include <optional>
#include <string>

namespace Clickscope {

// The WHATWG HTML "interpreting an event stream" algorithm over raw byte chunks: no QObject, no
// I/O, no timers. Chunks may split the stream anywhere (inside a line, a UTF-8 sequence, a CRLF or
// the BOM); the events are the same as for the unsplit stream.
//
// Memory is bounded: a line or an event larger than its cap is discarded whole (counted in
// discardedEvents()) and parsing resumes after the blank line that ends it.
class SseParser
{
public:
    static constexpr qsizetype kDefaultCap = 16 * 1024 * 1024;

    struct Limits
    {
        qsizetype maxLineBytes = kDefaultCap;
        qsizetype maxEventBytes = kDefaultCap;
    };

    SseParser() : SseParser(Limits{}) {}
    explicit SseParser(Limits limits);

    // Parses `chunk` and appends every event it completes to `out`.
    void feed(QByteArrayView chunk, QList<SseEvent> &out);

    // Starts a new stream (reconnection): drops a partial line and the undispatched event, expects
    // a BOM again. The last event id and the reconnection time survive, as in browsers.
    void reset();

    // The id of the last dispatched event (the "last event ID string"); sent as Last-Event-ID.
    QByteArrayView lastEventId() const { return m_lastEventId; }
    void setLastEventId(QByteArrayView id);

    // The reconnection time from the last valid `retry` field, if any arrived.
    std::optional<qint64> reconnectionTimeMs() const { return m_retryMs; }

    quint64 eventCount() const { return m_eventCount; }
    quint64 commentCount() const { return m_commentCount; }
    quint64 discardedEvents() const { return m_discardedEvents; }
    // Text of the last comment line, without the leading colon.
    QByteArrayView lastComment() const { return m_lastComment; }

    // Bytes held for an unfinished line and event; never more than the caps allow.
    qsizetype bufferedBytes() const { return qsizetype(m_line.size() + m_data.size() + m_type.size()); }

    const Limits &limits() const { return m_limits; }

private:
    void consumeBom(const char *&p, const char *end);
    void appendPartialLine(const char *p, qsizetype n);
    void processLine(const char *line, qsizetype n, QList<SseEvent> &out);
    void processField(const char *name, qsizetype nameSize, const char *value, qsizetype valueSize);
    void dispatch(QList<SseEvent> &out);
    void startDiscarding();
    QByteArrayView wellFormed(const std::string &bytes, std::string &scratch) const;

    Limits m_limits;
    std::string m_line;          // a line still waiting for its terminator
    std::string m_data;          // the data buffer
    std::string m_type;          // the event type buffer
    std::string m_idBuffer;      // the last event ID buffer (set by `id`, committed on dispatch)
    std::string m_lastEventId;   // the last event ID string
    std::string m_lastComment;
    mutable std::string m_typeScratch;
    mutable std::string m_idScratch;
    mutable std::string m_dataScratch;
    std::optional<qint64> m_retryMs;
    quint64 m_eventCount = 0;
    quint64 m_commentCount = 0;
    quint64 m_discardedEvents = 0;
    int m_bomMatched = 0;
    bool m_bomDone = false;
    bool m_afterCr = false;      // the last chunk ended in CR: a leading LF belongs to it
    bool m_lineTooLong = false;  // skipping the rest of a line over the cap
    bool m_discarding = false;   // ignoring lines up to the blank line ending an oversized event
};

} // namespace Clickscope
