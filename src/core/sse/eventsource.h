// SPDX-License-Identifier: MIT
#pragma once

#include "core/http/httpstream.h"
#include "core/source/streamsource.h"
#include "core/sse/sseparser.h"

#include <QElapsedTimer>
#include <QNetworkCookieJar>
#include <QTimer>

#include <memory>
#include <optional>

namespace Clickscope {

// A WHATWG EventSource, plus what fetch()-based readers add: any method, a body, custom headers,
// an idle timeout and an end marker.
//
// Each attempt is one HttpStream: one connection, one request, sent once. (QNetworkAccessManager
// is not used: in Qt 6.4 it sends a second copy of a request when the server closes right after a
// short response, which a server counts as an extra reconnection, and it queues a seventh
// connection to a host behind six open streams.) Memory is bounded whatever the server sends: the
// stream reads at most kReadAheadBytes ahead of us (beyond that TCP slows the sender), and the
// parser holds at most its caps. A reader slower than the stream falls behind; it never buffers
// without limit. Redirects are followed here, as fetch() follows them.
class EventSource : public StreamSource
{
    Q_OBJECT
public:
    static constexpr int kMaxRedirects = 20;            // what fetch() allows
    static constexpr qint64 kSliceBytes = 256 * 1024;   // parsed and handed over at a time

    explicit EventSource(SourceConfig config, QObject *parent = nullptr);
    ~EventSource() override;

    // The Last-Event-ID the next reconnection will send.
    QByteArray lastEventId() const { return m_parser.lastEventId().toByteArray(); }
    const SseParser &parser() const { return m_parser; }
    ReadPosition readPosition() const override
    {
        return {m_parser.atEventBoundary(), m_parser.atLineStart(), m_parser.afterCr()};
    }

private:
    struct StreamDeleter
    {
        void operator()(HttpStream *stream) const;
    };

    void connectNow() override;
    void dropConnection() override;
    void sendRequest();
    bool followRedirect(int status);
    void checkResponseHead();
    // Announces the exchange; false when a receiver closed or deleted the source meanwhile.
    bool recordExchange(const HttpResponseHead &head);
    void readAvailable();
    bool processSlice();
    void streamFinished();
    void idleTimedOut();
    // The events before the configured end marker, if `batch` holds it.
    std::optional<SseBatch> beforeDoneMarker(const SseBatch &batch) const;

    // A child: the cookies every attempt shares, as one browser tab would across redirects and
    // reconnections.
    QNetworkCookieJar *m_cookies;
    std::unique_ptr<HttpStream, StreamDeleter> m_stream;
    SseParser m_parser;
    QTimer m_idleTimer;
    // The request of the current attempt: the configured one, changed by redirects.
    QUrl m_requestUrl;
    QByteArray m_requestMethod;
    QByteArray m_requestBody;
    QList<HttpHeader> m_requestHeaders;
    int m_redirects = 0;
    quint64 m_commentsSeen = 0;
    quint64 m_discardedSeen = 0;
    bool m_headChecked = false;
    QElapsedTimer m_requestClock;   // since the current request was sent
};

}   // namespace Clickscope
