// SPDX-License-Identifier: MIT
#pragma once

#include "core/sse/ssebatch.h"

#include <QList>

#include <cstdio>
#include <string>

namespace Clickscope::Cli {

// Writes events to a stdio stream in one of listen's formats and flushes once per batch, so a
// consumer sees every event as soon as it was dispatched.
class EventWriter
{
public:
    enum class Format { Jsonl, Raw, Count };

    EventWriter(Format format, std::FILE *out);

    // Writes at most `limit` events of `events`; returns false when the stream cannot be written.
    bool write(const SseBatch &events, qsizetype limit);
    // For Count: prints the total. Returns false on a write error.
    bool finish();

    quint64 written() const { return m_written; }

    // Appends `text` as a JSON string literal (quotes included), escaping every control
    // character, NUL included. `text` must be well-formed UTF-8.
    static void appendJsonString(std::string &out, QByteArrayView text);

private:
    Format m_format;
    std::FILE *m_out;
    std::string m_buffer;
    quint64 m_written = 0;
};

}   // namespace Clickscope::Cli
