// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QByteArrayView>

namespace Clickscope {

// Writes events and comments as Server-Sent Events lines that a conforming parser reads back to
// the same type, id and data: the inverse of SseParser, for whatever sends a stream.
//
// `id` is written only when it differs from `previousId`, the id the reader already has (an empty
// id is written as a bare `id` line, which clears it); `event:` only for a type other than
// "message". Data is split into one `data:` line per line (LF, CR LF or a lone CR ends one, so data
// with a CR comes back with an LF in its place: the format has no way to carry a CR).
void appendSseEvent(QByteArray &out, QByteArrayView type, QByteArrayView id, QByteArrayView data,
                    QByteArrayView previousId = {});

// A comment line: a colon, then `text` as the parser reports it (its leading space included, if
// any). Line ends inside `text` start a new comment line each.
void appendSseComment(QByteArray &out, QByteArrayView text);

}   // namespace Clickscope
