// SPDX-License-Identifier: MIT
#pragma once

#include "source/streamsource.h"
#include "sse/sseparser.h"

#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QTimer>

#include <memory>

namespace Clickscope {

// A WHATWG EventSource on QNetworkAccessManager, plus what fetch()-based readers add: any method,
// a body, custom headers, an idle timeout and an end marker.
//
// Each EventSource owns its QNetworkAccessManager: one manager carries at most six connections
// per host and queues a seventh silently, which a dashboard with several streams must never do.
class EventSource : public StreamSource
{
    Q_OBJECT
public:
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
    void checkResponseHead();
    void readAvailable();
    void replyFinished();
    void idleTimedOut();
    bool handleDoneMarker();

    QNetworkAccessManager m_nam;
    std::unique_ptr<QNetworkReply, ReplyDeleter> m_reply;
    SseParser m_parser;
    QTimer m_idleTimer;
    QList<SseEvent> m_batch;
    quint64 m_commentsSeen = 0;
    bool m_headChecked = false;
};

} // namespace Clickscope
