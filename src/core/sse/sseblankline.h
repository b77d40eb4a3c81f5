// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArrayView>

namespace Clickscope {

// Finds where the next event of an event stream starts: just after the next blank line (LF, CR LF
// or a lone CR at the start of a line), across chunks that may split a line or a CR LF anywhere.
// For whoever cuts a stream's bytes at event boundaries without parsing them.
class SseBlankLine
{
public:
    // `atLineStart`: the bytes before ended a line; `afterCr`: they ended in a CR, so a LF that
    // comes next belongs to it.
    explicit SseBlankLine(bool atLineStart = true, bool afterCr = false)
        : m_atLineStart(atLineStart)
        , m_afterCr(afterCr)
    {}

    // The index just past the next blank line in `bytes`, carrying on from the bytes before; -1
    // while none has come. Called again with what follows that index, it finds the next one.
    qsizetype findEnd(QByteArrayView bytes);

private:
    bool m_atLineStart;
    bool m_afterCr;
};

}   // namespace Clickscope
