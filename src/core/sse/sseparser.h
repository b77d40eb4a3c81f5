// SPDX-License-Identifier: MIT
#pragma once

#include "core/sse/ssebatch.h"

#include <QList>

#include <optional>
#include <string>
#include <vector>

namespace Clickscope {

// The WHATWG HTML "interpreting an event stream" algorithm over raw byte chunks: no QObject, no
// I/O, no timers. Chunks may split the stream anywhere (inside a line, a UTF-8 sequence, a CRLF or
// the BOM); the events are the same as for the unsplit stream.
//
// Memory is bounded: a line or an event larger than its cap is discarded whole (counted in
// discardedEvents()) and parsing resumes after the blank line that ends it. The caps count bytes
// as received: an event whose data holds invalid UTF-8 comes out with each bad byte replaced by
// U+FFFD (three bytes), so up to three times its cap.
//
// Cost: a field that lies inside the chunk is kept as a view and copied once, into the buffer that
// all events of one feed() share (one allocation per chunk, not per event); bytes are only copied
// into the parser when a line or an event spans two chunks. Line ends are indexed first, 64 bytes
// at a time (AVX2 where the CPU has it, else SSE2), in the same pass that proves a line ASCII,
// the usual case, which then needs no UTF-8 check.
class SseParser
{
public:
    static constexpr qsizetype kDefaultCap = 16 * 1024 * 1024;

    struct Limits
    {
        qsizetype maxLineBytes = kDefaultCap;
        qsizetype maxEventBytes = kDefaultCap;
    };

    // Which instructions find line ends: the widest the CPU has (AVX2 where present), or the
    // baseline every x86-64 has (SSE2; plain code elsewhere). The events are the same; tests run
    // both on the same cases.
    enum class LineScan { Widest, Baseline };

    SseParser() : SseParser(Limits{}) {}
    explicit SseParser(Limits limits, LineScan scan = LineScan::Widest);

    // Parses `chunk` and returns the events it completes. While the caller holds the batch (or a
    // copy), the next feed() writes into new buffers; once it is gone they are reused.
    [[nodiscard]] SseBatch feed(QByteArrayView chunk);
    // The same for the `n` bytes at `from` in `buffer`, without copying the data of an event that
    // is one data line inside them, well-formed: the batch shares `buffer` instead. (A caller
    // that reuses its read buffer gets a new one while a batch holds the old. `buffer` must own
    // its bytes: a QByteArray::fromRawData one would not be kept alive by the batch.)
    [[nodiscard]] SseBatch feed(const QByteArray &buffer, qsizetype from, qsizetype n);
    // The same, appending the events to `out`.
    void feed(QByteArrayView chunk, QList<SseEvent> &out);

    // Starts a new stream (reconnection): drops a partial line and the undispatched event, expects
    // a BOM again. The last event id and the reconnection time survive, as in browsers.
    void reset();

    // The id of the last dispatched event (the "last event ID string"); sent as Last-Event-ID.
    QByteArrayView lastEventId() const { return m_lastEventId.view(); }
    void setLastEventId(QByteArrayView id);

    // The reconnection time from the last valid `retry` field, if any arrived.
    std::optional<qint64> reconnectionTimeMs() const { return m_retryMs; }

    quint64 eventCount() const { return m_eventCount; }
    quint64 commentCount() const { return m_commentCount; }
    quint64 discardedEvents() const { return m_discardedEvents; }
    // Text of the last comment line, without the leading colon.
    QByteArrayView lastComment() const { return {m_lastComment.data(), qsizetype(m_lastComment.size())}; }

    // Between two events: no part of a line or of an event is held, so what comes next starts one.
    bool atEventBoundary() const
    {
        return m_line.empty() && m_data.size() == 0 && m_dataLines == 0 && m_type.size() == 0 && !m_hasPendingId
               && !m_discarding && !m_lineTooLong;
    }

    // No part of a line is held: the next byte starts one (or, after a CR, may be its LF).
    bool atLineStart() const { return m_line.empty() && !m_lineTooLong; }
    bool afterCr() const { return m_afterCr; }

    // Bytes held for an unfinished line and event; never more than the caps allow.
    qsizetype bufferedBytes() const { return qsizetype(m_line.size()) + m_data.size() + m_type.size(); }

    const Limits &limits() const { return m_limits; }
    // What finds line ends in this parser: "avx2", "sse2" or "portable".
    const char *lineScanName() const;

private:
    // A field value: a view into the chunk being parsed, or bytes of its own once the value has to
    // outlive that chunk. `ascii` says whether every byte is known to be ASCII.
    class Field
    {
    public:
        QByteArrayView view() const
        {
            return m_isView ? m_view : QByteArrayView(m_own.data(), qsizetype(m_own.size()));
        }
        qsizetype size() const { return view().size(); }
        bool ascii() const { return m_ascii; }
        bool isView() const { return m_isView; }
        void setView(QByteArrayView v, bool ascii)
        {
            m_view = v;
            m_isView = true;
            m_ascii = ascii;
        }
        void assign(QByteArrayView v, bool ascii);
        void append(char c, QByteArrayView v, bool ascii);   // c, then v
        void own();                                          // stop pointing into the chunk
        void clear();

    private:
        std::string m_own;
        QByteArrayView m_view;
        bool m_isView = false;
        bool m_ascii = true;
    };

    void parseChunk(const char *p, const char *end);
    void consumeBom(const char *&p, const char *end);
    void appendPartialLine(const char *p, qsizetype n, bool ascii);
    // `inChunk`: the line lies in the chunk being fed, so views of it stay valid until feed() ends.
    void processLine(const char *line, qsizetype n, bool inChunk, bool ascii);
    void setField(Field &field, QByteArrayView value, bool inChunk, bool ascii);
    void setData(QByteArrayView value, bool inChunk, bool ascii);
    void setId(QByteArrayView value, bool inChunk, bool ascii);
    void dispatch();
    void clearEvent();
    void startDiscarding();
    QByteArrayView wellFormed(const Field &field, std::string &scratch);

    Limits m_limits;
    std::string m_line;    // a line still waiting for its terminator
    Field m_data;          // the data buffer, without the final "\n" the algorithm would add
    int m_dataLines = 0;   // an empty data buffer and one empty data line differ
    Field m_type;          // the event type buffer
    Field m_pendingId;     // an `id` not yet committed by a dispatch
    bool m_hasPendingId = false;
    Field m_lastEventId;              // the last event ID string
    SseBatchBuilder m_batch;          // events dispatched during the current feed()
    const char *m_shared = nullptr;   // the start of the buffer the current feed() may share
    std::string m_lastComment;
    std::string m_scratch;   // a field's bytes after replacing ill-formed UTF-8
    std::string m_typeScratch;
    std::optional<qint64> m_retryMs;
    quint64 m_eventCount = 0;
    quint64 m_commentCount = 0;
    quint64 m_discardedEvents = 0;
    int m_bomMatched = 0;
    bool m_bomDone = false;
    bool m_lineAscii = true;      // m_line holds no byte >= 0x80
    bool m_afterCr = false;       // the last chunk ended in CR: a leading LF belongs to it
    bool m_lineTooLong = false;   // skipping the rest of a line over the cap
    bool m_discarding = false;    // ignoring lines up to the blank line ending an oversized event
    bool m_useAvx2 = false;
};

}   // namespace Clickscope
