// SPDX-License-Identifier: MIT
#include "cli/eventwriter.h"

namespace Clickscope::Cli {

EventWriter::EventWriter(Format format, std::FILE *out) : m_format(format), m_out(out) {}

void EventWriter::appendJsonString(std::string &out, QByteArrayView text)
{
    static constexpr char kHex[] = "0123456789abcdef";
    out.push_back('"');
    const char *run = text.data();
    const char *const end = text.data() + text.size();
    for (const char *p = run; p < end; ++p) {
        const unsigned char c = static_cast<unsigned char>(*p);
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        out.append(run, p - run);
        run = p + 1;
        switch (c) {
        case '"':
            out.append("\\\"");
            break;
        case '\\':
            out.append("\\\\");
            break;
        case '\n':
            out.append("\\n");
            break;
        case '\r':
            out.append("\\r");
            break;
        case '\t':
            out.append("\\t");
            break;
        case '\b':
            out.append("\\b");
            break;
        case '\f':
            out.append("\\f");
            break;
        default:
            out.append("\\u00");
            out.push_back(kHex[c >> 4]);
            out.push_back(kHex[c & 0xF]);
        }
    }
    out.append(run, end - run);
    out.push_back('"');
}

bool EventWriter::write(const SseBatch &events, qsizetype limit)
{
    const qsizetype n = std::min(limit, events.size());
    m_written += quint64(n);
    if (m_format == Format::Count)
        return true;
    m_buffer.clear();
    for (qsizetype i = 0; i < n; ++i) {
        const SseEventView e = events.at(i);
        if (m_format == Format::Jsonl) {
            m_buffer.append("{\"type\":");
            appendJsonString(m_buffer, e.type());
            m_buffer.append(",\"data\":");
            appendJsonString(m_buffer, e.data());
            m_buffer.append(",\"lastEventId\":");
            appendJsonString(m_buffer, e.lastEventId());
            m_buffer.append("}\n");
        } else {
            m_buffer.append(e.data().data(), e.data().size());
            m_buffer.push_back('\n');
        }
    }
    return std::fwrite(m_buffer.data(), 1, m_buffer.size(), m_out) == m_buffer.size() && std::fflush(m_out) == 0;
}

bool EventWriter::finish()
{
    if (m_format == Format::Count)
        std::fprintf(m_out, "%llu\n", static_cast<unsigned long long>(m_written));
    return std::fflush(m_out) == 0;
}

}   // namespace Clickscope::Cli
