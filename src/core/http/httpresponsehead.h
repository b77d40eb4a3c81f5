// SPDX-License-Identifier: MIT
#pragma once

#include "core/result.h"
#include "core/source/sourceconfig.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>

#include <optional>

namespace Clickscope {

// The status line and header fields of an HTTP/1.x response, as the server sent them.
struct HttpResponseHead
{
    QByteArray version;   // "HTTP/1.1"
    int status = 0;
    QByteArray reason;
    QList<HttpHeader> headers;   // names as sent, values without surrounding whitespace

    // The first value of a field (names compare case-insensitively), or a null QByteArray.
    QByteArray value(QByteArrayView name) const;
    // Every value of a field, in order.
    QList<QByteArray> values(QByteArrayView name) const;

    // Where a head ends in `buffer`: the index just past its empty line, or -1 while it has not
    // ended. A bare LF ends a line as well as CRLF, which RFC 9112 lets a client accept. The
    // search starts at `from`, so that a head arriving in pieces is not searched again each time.
    static qsizetype endIn(QByteArrayView buffer, qsizetype from = 0);

    // Parses a complete head (status line, fields, empty line). A line folded onto the next is
    // joined with a space; anything else that is not HTTP/1.x is refused with a reason.
    static Result<HttpResponseHead> parse(QByteArrayView head);
};

}   // namespace Clickscope
