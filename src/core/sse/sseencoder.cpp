// SPDX-License-Identifier: MIT
#include "core/sse/sseencoder.h"

namespace Clickscope {
namespace {

// Calls `line` with each line of `text`, split at LF, CR LF and a lone CR; an empty text is one
// empty line.
template<typename Line>
void forEachLine(QByteArrayView text, Line line)
{
    qsizetype start = 0;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c != '\n' && c != '\r')
            continue;
        line(text.sliced(start, i - start));
        if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n')
            ++i;
        start = i + 1;
    }
    line(text.sliced(start));
}

}   // namespace

void appendSseEvent(QByteArray &out, QByteArrayView type, QByteArrayView id, QByteArrayView data,
                    QByteArrayView previousId)
{
    if (id != previousId) {
        if (id.isEmpty())
            out += "id\n";
        else
            out.append("id: ").append(id).append('\n');
    }
    if (!type.isEmpty() && type != "message")
        out.append("event: ").append(type).append('\n');
    forEachLine(data, [&out](QByteArrayView line) { out.append("data: ").append(line).append('\n'); });
    out += '\n';
}

void appendSseComment(QByteArray &out, QByteArrayView text)
{
    forEachLine(text, [&out](QByteArrayView line) { out.append(':').append(line).append('\n'); });
}

}   // namespace Clickscope
