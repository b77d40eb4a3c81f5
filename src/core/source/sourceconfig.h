// SPDX-License-Identifier: MIT
#pragma once

#include "core/result.h"
#include "core/sse/sseparser.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QUrl>

#include <optional>
#include <utility>

namespace Clickscope {

using HttpHeader = std::pair<QByteArray, QByteArray>;

// Everything needed to open a stream, whatever its transport. Plain value: the GUI edits it, the
// CLI builds it from flags, the sources copy it.
struct SourceConfig
{
    static constexpr int kDefaultConnectTimeoutMs = 30'000;
    // A connection can die without a word: a server that hangs, a NAT or proxy that forgets it,
    // a laptop that slept. TCP then says nothing for hours, so a stream that sends nothing for
    // this long is taken for dead and resumed (with Last-Event-ID: nothing is lost). Servers that
    // expect proxies between them and their readers send a comment every 15 s or so, because
    // proxies cut connections silent for a minute; 45 s is three of those missed. A WebSocket
    // source pings a silent server, so there only a server that stopped answering is idle. Only
    // for GET: reconnecting re-sends a request's body, and a POST (a model's answer, say) may be
    // silent for long and costly to repeat.
    static constexpr int kDefaultIdleTimeoutMs = 45'000;
    static constexpr int kDefaultIdleTimeout = -1;

    QUrl url;
    QByteArray method = "GET";
    QByteArray body;             // sent with every (re)connection, as fetch() does
    QList<HttpHeader> headers;   // e.g. {"Authorization", "Bearer …"}
    QByteArray lastEventId;      // sent as Last-Event-ID from the first request on
    bool reconnect = true;
    int defaultRetryMs = 3000;                         // until the server sends `retry`
    int maxRetryMs = 30000;                            // cap of the exponential backoff
    int idleTimeoutMs = kDefaultIdleTimeout;           // no byte at all for this long: reconnect (0 = off)
    int connectTimeoutMs = kDefaultConnectTimeoutMs;   // until the response head (0 = off)
    std::optional<QByteArray> doneMarker;              // a `data` equal to this ends the stream cleanly
    SseParser::Limits limits;

    // idleTimeoutMs in force: kDefaultIdleTimeoutMs for a GET when none was set, else as set.
    int idleTimeout() const
    {
        if (idleTimeoutMs != kDefaultIdleTimeout)
            return idleTimeoutMs;
        return method == "GET" ? kDefaultIdleTimeoutMs : 0;
    }
    double replaySpeed = 1;   // a recording (a file: URL): N times the recorded pace, 0 as fast as possible
};

// `headers` has one named `name` (compared case-insensitively, as HTTP field names are).
bool hasHeader(const QList<HttpHeader> &headers, QByteArrayView name);

// A header that carries credentials (Authorization, Cookie, Proxy-Authorization): never sent to
// another origin, never written to disk.
bool isCredentialHeader(QByteArrayView name);

// A header that may hold a secret: a credential header, or one whose name says key, token,
// secret, password, session or auth (X-Api-Key, X-Auth-Token …). Never written to disk.
bool isSecretHeader(QByteArrayView name);

// `url` without what may be a secret: its password and the query items whose names say key,
// token, secret, password, session, auth or sig (access_token, api_key …). What was taken out
// is named in `removed` ("password", "access_token").
QUrl urlWithoutSecrets(const QUrl &url, QStringList *removed = nullptr);
// The two URLs reach the same server (host and port, the scheme's default port when none is
// given; http and ws alike): where headers that may hold a secret are allowed to go.
bool sameServer(const QUrl &a, const QUrl &b);
// `url` as messages and the X-ray show it: without user info or secret-looking query items.
QString shownUrl(const QUrl &url);
// `text` with every spelling of `urls` in it replaced by shownUrl(): messages quote URLs.
QString maskUrls(QString text, const QList<QUrl> &urls);

// Where a message bus URL (scheme://[user[:password]@]host[:port]/…) points, and with whose
// credentials, percent-decoded.
struct BusServer
{
    QString host;
    quint16 port = 0;
    QByteArray user;
    QByteArray password;
};
// The server `url` names when its scheme is `scheme`; `defaultPort` when it names none.
Result<BusServer> busServerOf(const QUrl &url, QStringView scheme, int defaultPort);

// Parses "Name: value" (as curl's -H takes it).
Result<HttpHeader> parseHeaderLine(const QString &line);

// The URL a user typed (or saved), read strictly, so that a malformed one is reported rather than
// guessed at. A NATS subject's > wildcard, which a strict URL path refuses, is taken as %3E.
QUrl streamUrlFromText(const QString &text);
// The URL as the user would type it again: streamUrlFromText()'s inverse (a NATS subject's >
// shown as >, not %3E).
QString streamUrlText(const QUrl &url);

// Success when `url` can be opened by some source (a stream's URL, or a recording's file: URL);
// otherwise a message for the user.
Result<void> checkStreamUrl(const QUrl &url);

// What is wrong with a URL as the user typed it, in words, and where: the first bad part is at
// [start, start + length) of the text.
struct UrlProblem
{
    QString message;
    qsizetype start = 0;
    qsizetype length = 0;
};
// Success when the text is a stream URL.
Result<void, UrlProblem> checkTypedUrl(const QString &text);

// Two configurations open the same stream: the same URL, method and body. Another one is a new
// session; the same one again is a reconnection.
bool opensSameStream(const SourceConfig &a, const SourceConfig &b);

}   // namespace Clickscope
