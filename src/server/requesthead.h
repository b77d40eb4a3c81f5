// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

namespace Clickscope {

// What the publisher decides about one HTTP/1.x request head before any of it reaches
// QHttpServer. Strict where a lenient reading would let two parsers disagree about where a
// request ends (request smuggling): one Content-Length at most, never together with
// Transfer-Encoding, digits only, no whitespace before a colon, no folded lines.
struct RequestHead
{
    int status = 0;             // 0: the head is acceptable; otherwise the status to answer
    QByteArray reason;          // reason phrase for `status`
    QString message;            // what went wrong, for the client
    qint64 contentLength = 0;   // body bytes that follow the head
    bool upgrade = false;       // asks to switch to WebSocket (Upgrade: websocket, Connection: upgrade)
    bool close = false;         // the connection ends after this request's response

    bool acceptable() const { return status == 0; }

    // `head` runs from the request line up to, not including, the blank line that ends it
    // (leading empty lines are skipped, as RFC 9112 allows).
    static RequestHead judge(QByteArrayView head, qint64 maxBodyBytes);
};

}   // namespace Clickscope
