// SPDX-License-Identifier: MIT
#pragma once

#include "core/source/sourceconfig.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QMetaType>
#include <QUrl>

namespace Clickscope {

// One request a source sent and the response head it got: one per redirect hop, then the final
// one. For the connection X-ray; secrets are masked only when it is shown (toJson).
struct HttpExchange
{
    QUrl url;
    QByteArray method;
    QList<HttpHeader> requestHeaders;   // as configured and added by the source
    qsizetype requestBodyBytes = 0;
    int status = 0;
    QByteArray reason;
    QByteArray version;                  // "HTTP/1.1"
    QList<HttpHeader> responseHeaders;   // the ones that matter for streaming (kStreamingHeaders)
    qint64 headMs = -1;                  // from sending the request to the response head

    // The response headers an X-ray shows: what decides how a stream is delivered.
    static constexpr const char *kStreamingHeaders[] = {
        "Content-Type", "Content-Encoding",  "Cache-Control", "X-Accel-Buffering",
        "Connection",   "Transfer-Encoding", "Server",        "Via",
        "Location",     "WWW-Authenticate",  "Retry-After"};

    // Header values kept per exchange, so that a hostile head cannot grow the X-ray: the first
    // few values of each header, each cut to a few KiB.
    static constexpr qsizetype kMaxValuesPerHeader = 4;
    static constexpr qsizetype kMaxValueBytes = 4 * 1024;

    // For showing: credential and secret-looking header values and URL parts masked.
    QJsonObject toJson() const;

    // Roughly what it holds in memory: its URL, reason and header bytes.
    qsizetype keptBytes() const;
    // The first value of a response header, empty when there is none.
    QByteArray responseHeader(QByteArrayView name) const;
    bool isRedirect() const { return isRedirectStatus(status); }

    static bool isRedirectStatus(int status)
    {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }
    // Whether a Content-Type names an event stream: its essence decides, parameters such as
    // charset do not.
    static bool isEventStreamType(QByteArrayView contentType);
};

}   // namespace Clickscope

Q_DECLARE_METATYPE(Clickscope::HttpExchange)
