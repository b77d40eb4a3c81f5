// SPDX-License-Identifier: MIT
#include "core/sse/sseblankline.h"

#include <utility>

namespace Clickscope {

qsizetype SseBlankLine::findEnd(QByteArrayView bytes)
{
    for (qsizetype i = 0; i < bytes.size(); ++i) {
        const char c = bytes[i];
        if (c == '\n' && std::exchange(m_afterCr, false))
            continue;   // the LF of a CR LF: the same line end
        m_afterCr = false;
        if (c != '\r' && c != '\n') {
            m_atLineStart = false;
            continue;
        }
        const bool blank = m_atLineStart;
        m_atLineStart = true;
        m_afterCr = c == '\r';
        if (!blank)
            continue;
        if (c == '\r' && i + 1 < bytes.size() && bytes[i + 1] == '\n') {
            m_afterCr = false;
            return i + 2;
        }
        return i + 1;
    }
    return -1;
}

}   // namespace Clickscope
