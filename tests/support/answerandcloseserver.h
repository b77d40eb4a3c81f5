// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QList>
#include <QMutex>
#include <QUrl>

#include "support/threadedtcpserver.h"

#include <atomic>

namespace Clickscope::Testing {

// A server that answers every request with the same short response and closes the connection
// right after, in a thread of its own so that its answer races the client's next step the way a real
// server's does. It counts the requests it received: a client that sends one twice shows here.
class AnswerAndCloseServer
{
public:
    explicit AnswerAndCloseServer(QByteArray response);

    bool listen();
    QUrl url(const QString &path = QStringLiteral("/")) const;
    // Requests whose target starts with `path`, received so far.
    int requestsTo(const QByteArray &path) const;

private:
    QByteArray m_response;
    mutable QMutex m_mutex;
    QList<QByteArray> m_targets;   // guarded by m_mutex
    // Last, so that its thread stops before the members it uses go.
    ThreadedTcpServer m_server{QStringLiteral("answer-and-close-server")};
};

}   // namespace Clickscope::Testing
