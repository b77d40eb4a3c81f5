// SPDX-License-Identifier: MIT
#include "eventsource.h"

#include "logging.h"

#include <QNetworkRequest>
#include <QPointer>

#include <algorithm>
#include <utility>

namespace Clickscope {
namespace {

bool isEventStream(const QByteArray &contentType)
{
    // The MIME type's essence decides; parameters such as charset do not.
    const qsizetype semicolon = contentType.indexOf(';');
    const QByteArray essence = (semicolon < 0 ? contentType : contentType.left(semicolon)).trimmed().toLower();
    return essence == "text/event-stream";
}

bool isRedirect(int status)
{
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

// Errors that no amount of retrying fixes; a browser fails the connection on them too.
bool isFutile(QNetworkReply::NetworkError error)
{
    switch (error) {
    case QNetworkReply::SslHandshakeFailedError:
    case QNetworkReply::ProtocolUnknownError:
    case QNetworkReply::ProtocolInvalidOperationError:
    case QNetworkReply::TooManyRedirectsError:
    case QNetworkReply::InsecureRedirectError:
        return true;
    default:
        return false;
    }
}

bool hasHeader(const QList<HttpHeader> &headers, QByteArrayView name)
{
    return std::any_of(headers.cbegin(), headers.cend(),
                       [&](const HttpHeader &h) { return h.first.compare(name, Qt::CaseInsensitive) == 0; });
}

} // namespace

void EventSource::ReplyDeleter::operator()(QNetworkReply *reply) const
{
    // The abort waits for the event loop: from inside a reply's own signal (a 404 head seen in
    // metaDataChanged) Qt 6.4 would report the error twice ("Internal problem, this method must
    // only be called once"). The reply keeps its own connections, through which the abort
    // reaches the HTTP thread and closes the socket; ours were cut by dropConnection().
    QMetaObject::invokeMethod(reply, &QNetworkReply::abort, Qt::QueuedConnection);
    reply->deleteLater();
}

EventSource::EventSource(SourceConfig config, QObject *parent)
    : StreamSource(std::move(config), parent)
    , m_parser(m_config.limits)
{
    if (!m_config.lastEventId.isEmpty())
        m_parser.setLastEventId(m_config.lastEventId);
    m_idleTimer.setSingleShot(true);
    connect(&m_idleTimer, &QTimer::timeout, this, &EventSource::idleTimedOut);
}

EventSource::~EventSource()
{
    dropConnection();
}

void EventSource::connectNow()
{
    if (const QString problem = validateStreamUrl(m_config.url); !problem.isEmpty()) {
        fail(Error::InvalidUrl, problem);
        return;
    }
    if (const QString scheme = m_config.url.scheme().toLower(); scheme != u"http" && scheme != u"https") {
        fail(Error::InvalidUrl, QStringLiteral("an event stream needs an http or https URL, not '%1'")
                                    .arg(m_config.url.toString()));
        return;
    }
    m_parser.reset();
    m_headChecked = false;
    m_batch.clear();

    QNetworkRequest request(m_config.url);
    request.setRawHeader("Accept", "text/event-stream");
    request.setRawHeader("Cache-Control", "no-cache");
    request.setAttribute(QNetworkRequest::CacheLoadControlAttribute, QNetworkRequest::AlwaysNetwork);
    request.setMaximumRedirectsAllowed(20);   // what fetch() allows
    if (!m_config.body.isEmpty() && !hasHeader(m_config.headers, "Content-Type"))
        request.setRawHeader("Content-Type", "text/plain;charset=UTF-8");   // fetch()'s default for a string body
    for (const auto &[name, value] : std::as_const(m_config.headers))
        request.setRawHeader(name, value);
    if (const QByteArrayView id = m_parser.lastEventId(); !id.isEmpty())
        request.setRawHeader("Last-Event-ID", id.toByteArray());

    dropConnection();   // a reply still here must stop talking to us before it goes
    const bool plainGet = m_config.method == "GET" && m_config.body.isEmpty();
    m_reply.reset(plainGet ? m_nam.get(request) : m_nam.sendCustomRequest(request, m_config.method, m_config.body));
    QNetworkReply *reply = m_reply.get();
    connect(reply, &QNetworkReply::metaDataChanged, this, &EventSource::checkResponseHead);
    connect(reply, &QIODevice::readyRead, this, &EventSource::readAvailable);
    connect(reply, &QNetworkReply::finished, this, &EventSource::replyFinished);
    if (m_config.idleTimeoutMs > 0)
        m_idleTimer.start(m_config.idleTimeoutMs);
    qCDebug(lcSse) << "connecting" << m_config.url;
}

void EventSource::checkResponseHead()
{
    if (m_headChecked || !m_reply)
        return;
    const QVariant statusAttribute = m_reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
    if (!statusAttribute.isValid())
        return;
    const int status = statusAttribute.toInt();
    if (isRedirect(status))
        return;   // QNAM follows it; the final response's head comes next
    m_headChecked = true;
    if (status == 204) {
        qCDebug(lcSse) << "204: the server asks us to stop";
        stop();
        return;
    }
    if (status != 200) {
        const QString reason = m_reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toString();
        fail(Error::HttpStatus, QStringLiteral("HTTP %1%2 from %3")
                                    .arg(status)
                                    .arg(reason.isEmpty() ? QString() : u' ' + reason, m_reply->url().toString()));
        return;
    }
    const QByteArray contentType = m_reply->rawHeader("Content-Type");
    if (!isEventStream(contentType)) {
        fail(Error::ContentType, QStringLiteral("Content-Type is '%1', not text/event-stream, at %2")
                                     .arg(QString::fromLatin1(contentType), m_reply->url().toString()));
        return;
    }
    markOpen();
}

void EventSource::readAvailable()
{
    if (!m_headChecked) {
        checkResponseHead();
        if (!m_headChecked || !m_reply || state() != State::Open)
            return;
    }
    const QByteArray chunk = m_reply->readAll();
    if (chunk.isEmpty())
        return;
    countBytes(chunk.size());
    if (m_config.idleTimeoutMs > 0)
        m_idleTimer.start(m_config.idleTimeoutMs);

    m_parser.feed(chunk, m_batch);
    if (const auto retry = m_parser.reconnectionTimeMs())
        policy().setServerRetryMs(*retry);
    const bool done = handleDoneMarker();

    // Slots may close or even delete us; stop touching anything once they have.
    QPointer<EventSource> self(this);
    const QNetworkReply *reply = m_reply.get();
    const auto stillCurrent = [&] { return self && m_reply.get() == reply; };

    if (m_parser.commentCount() != m_commentsSeen) {
        m_commentsSeen = m_parser.commentCount();
        emit commentsReceived(m_commentsSeen, QString::fromUtf8(m_parser.lastComment()));
        if (!stillCurrent())
            return;
    }
    if (!m_batch.isEmpty()) {
        const QList<SseEvent> batch = std::exchange(m_batch, {});
        countEvents(batch.size());
        emit eventsReceived(batch);
        if (!stillCurrent())
            return;
    }
    if (done) {
        qCDebug(lcSse) << "end marker received";
        stop();
    }
}

bool EventSource::handleDoneMarker()
{
    if (!m_config.doneMarker)
        return false;
    const QByteArrayView marker = *m_config.doneMarker;
    const auto it = std::find_if(m_batch.cbegin(), m_batch.cend(),
                                 [&](const SseEvent &e) { return e.data() == marker; });
    if (it == m_batch.cend())
        return false;
    m_batch.resize(it - m_batch.cbegin());
    return true;
}

void EventSource::replyFinished()
{
    if (!m_reply)
        return;
    if (!m_headChecked) {
        checkResponseHead();
        if (!m_reply)
            return;   // failed or stopped on its status
    }
    if (m_reply->bytesAvailable() > 0) {
        QPointer<EventSource> self(this);
        readAvailable();
        if (!self || !m_reply || state() == State::Closed)
            return;
    }
    const QNetworkReply::NetworkError error = m_reply->error();
    const QString errorText = m_reply->errorString();
    const int status = m_reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const bool wasOpen = state() == State::Open;
    dropConnection();

    if (isRedirect(status)) {
        fail(Error::HttpStatus, QStringLiteral("HTTP %1 redirect was not followed: %2").arg(status).arg(errorText));
    } else if (isFutile(error)) {
        fail(Error::Network, errorText);
    } else if (error == QNetworkReply::NoError) {
        retryOrStop(QStringLiteral("the server closed the stream"), Error::NoError, !wasOpen);
    } else {
        retryOrStop(errorText, Error::Network, !wasOpen);
    }
}

void EventSource::idleTimedOut()
{
    const bool wasOpen = state() == State::Open;
    dropConnection();
    retryOrStop(QStringLiteral("no data for %1 ms").arg(m_config.idleTimeoutMs), Error::Network, !wasOpen);
}

void EventSource::dropConnection()
{
    m_idleTimer.stop();
    if (m_reply) {
        m_reply->disconnect(this);
        m_reply.reset();
    }
}


} // namespace Clickscope
