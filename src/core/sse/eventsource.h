// SPDX-License-Identifier: MIT
#pragma once

#include "source/streamsource.h"
#include "sse/sseparser.h"

#include <QNetworkAccessManager>
#include <QNetworkCookieJar>
#include <QNetworkReply>
#include <QTimer>

#include <memory>

namespace Clickscope {

// A WHATWG EventSource on QNetworkAccessManager, plus what fetch()-based readers add: any method,
// a body, custom headers, an idle timeout and an end marker.
//
// Memory is bounded whatever the server sends: QNAM reads at most kReadAheadBytes ahead of us
// (beyond that it stops reading the socket, and TCP slows the sender), and the parser holds at
// most its caps. A reader slower than the stream falls behind; it never buffers without limit.
// Redirects are followed here rather than by QNAM, which in 6.4 sends a duplicate of the
// redirected request and loses the read-ahead limit on the way.
//
// Every request gets a QNetworkAccessManager of its own. A shared one carries at most six
// connections per host and queues a seventh silently, which a dashboard with several streams must
// never do; and in Qt 6.4 a manager whose last connection the server closed right after a short
// response often sends the next request twice, which a server counts as an extra reconnection.
class EventSource : public StreamSource
{
    Q_OBJECT
public:
    static constexpr int kMaxRedirects = 20;   // what fetch() allows
    static constexpr qint64 kSliceBytes = 256 * 1024;   // parsed and handed over at a time

    explicit EventSource(SourceConfig config, QObject *parent = nullptr);
    ~EventSource() override;

    // The Last-Event-ID the next reconnection will send.
    QByteArray lastEventId() const { return m_parser.lastEventId().toByteArray(); }
    const SseParser &parser() const { return m_parser; }

private:
    struct ReplyDeleter
    {
        void operator()(QNetworkReply *reply) const;
    };

    void connectNow() override;
    void dropConnection() override;
    void sendRequest();
    void limitReadAhead();
    bool followRedirect(int status);
    void checkResponseHead();
    void readAvailable();
    bool processSlice();
    void replyFinished();
    void idleTimedOut();
    bool handleDoneMarker();

    // Children: a manager for the current request (the ones before go with deleteLater), and
    // the cookies all of them share, as one browser tab would across redirects and reconnections.
    QNetworkAccessManager *m_nam = nullptr;
    QNetworkCookieJar *m_cookies;
    std::unique_ptr<QNetworkReply, ReplyDeleter> m_reply;
    SseParser m_parser;
    QTimer m_idleTimer;
    QList<SseEvent> m_batch;
    // The request of the current attempt: the configured one, changed by redirects.
    QUrl m_requestUrl;
    QByteArray m_requestMethod;
    QByteArray m_requestBody;
    QList<HttpHeader> m_requestHeaders;
    int m_redirects = 0;
    quint64 m_commentsSeen = 0;
    quint64 m_discardedSeen = 0;
    bool m_headChecked = false;
};

} // namespace Clickscope
