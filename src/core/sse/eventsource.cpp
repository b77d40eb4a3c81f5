// SPDX-License-Identifier: MIT
#include "core/sse/eventsource.h"

#include "core/logging.h"

#include <QLocale>
#include <QPointer>

#include <algorithm>
#include <utility>

namespace Clickscope {

void EventSource::StreamDeleter::operator()(HttpStream *stream) const
{
    // Often called from inside one of the stream's own signals: close now, free later.
    stream->abort();
    stream->deleteLater();
}

EventSource::EventSource(SourceConfig config, QObject *parent)
    : StreamSource(std::move(config), parent)
    , m_cookies(new QNetworkCookieJar(this))
    , m_parser(m_config.limits)
{
    if (!m_config.lastEventId.isEmpty())
        m_parser.setLastEventId(m_config.lastEventId);
    m_idleTimer.setSingleShot(true);
    connect(&m_idleTimer, &QTimer::timeout, this, &EventSource::idleTimedOut);
}

EventSource::~EventSource() { dropConnection(); }

void EventSource::connectNow()
{
    if (const Result<void> usable = checkStreamUrl(m_config.url); !usable) {
        fail(Error::InvalidUrl, usable.error());
        return;
    }
    if (const QString scheme = m_config.url.scheme().toLower(); scheme != u"http" && scheme != u"https") {
        fail(Error::InvalidUrl,
             QStringLiteral("an event stream needs an http or https URL, not '%1'").arg(shownUrl(m_config.url)));
        return;
    }
    m_parser.reset();
    // Every attempt starts from the configured request, as a browser's EventSource does.
    m_requestUrl = m_config.url;
    m_requestMethod = m_config.method;
    m_requestBody = m_config.body;
    m_requestHeaders = m_config.headers;
    m_redirects = 0;
    sendRequest();
}

void EventSource::sendRequest()
{
    m_headChecked = false;
    HttpStream::Request request;
    request.url = m_requestUrl;
    request.method = m_requestMethod;
    request.body = m_requestBody;
    request.headers = {{"Accept", "text/event-stream"}, {"Cache-Control", "no-cache"}};
    if (!m_requestBody.isEmpty() && !hasHeader(m_requestHeaders, "Content-Type"))
        request.headers.append(
            HttpHeader("Content-Type", "text/plain;charset=UTF-8"));   // fetch()'s default for a string body
    for (const HttpHeader &header : std::as_const(m_requestHeaders)) {
        // A header the caller set replaces our default of the same name.
        request.headers.removeIf(
            [&](const HttpHeader &h) { return h.first.compare(header.first, Qt::CaseInsensitive) == 0; });
    }
    request.headers.append(m_requestHeaders);
    if (const QByteArrayView id = m_parser.lastEventId(); !id.isEmpty()) {
        request.headers.removeIf(
            [](const HttpHeader &h) { return h.first.compare("Last-Event-ID", Qt::CaseInsensitive) == 0; });
        request.headers.append(HttpHeader("Last-Event-ID", id.toByteArray()));
    }

    dropConnection();
    m_stream.reset(new HttpStream(std::move(request), m_cookies, kReadAheadBytes));
    HttpStream *stream = m_stream.get();
    connect(stream, &HttpStream::headReceived, this, &EventSource::checkResponseHead);
    connect(stream, &HttpStream::readyRead, this, &EventSource::readAvailable);
    connect(stream, &HttpStream::finished, this, &EventSource::streamFinished);
    m_requestClock.start();
    stream->start();
    if (m_config.idleTimeout() > 0)
        m_idleTimer.start(m_config.idleTimeout());
    qCDebug(lcSse) << "requesting" << m_requestMethod << m_requestUrl;
}

bool EventSource::followRedirect(int status)
{
    const QUrl from = m_requestUrl;
    const QByteArray location = m_stream->head().value("Location");
    if (location.isEmpty()) {
        fail(Error::HttpStatus,
             QStringLiteral("HTTP %1 redirect without a Location header from %2").arg(status).arg(shownUrl(from)));
        return false;
    }
    const QUrl target = from.resolved(QUrl::fromEncoded(location));
    const QString scheme = target.scheme().toLower();
    if (!target.isValid() || (scheme != u"http" && scheme != u"https") || target.host().isEmpty()) {
        fail(Error::HttpStatus, QStringLiteral("HTTP %1 redirect from %2 to '%3', which is not an http(s) URL")
                                    .arg(status)
                                    .arg(shownUrl(from), shownUrl(QUrl::fromEncoded(location))));
        return false;
    }
    if (from.scheme().toLower() == u"https" && scheme == u"http") {
        fail(
            Error::HttpStatus,
            QStringLiteral("HTTP %1 redirect from https to plain http (%2) refused").arg(status).arg(shownUrl(target)));
        return false;
    }
    if (++m_redirects > kMaxRedirects) {
        fail(Error::HttpStatus,
             QStringLiteral("more than %1 redirects, the last to %2").arg(kMaxRedirects).arg(shownUrl(target)));
        return false;
    }
    // As fetch() does: 303 becomes a GET, and so does a POST answered with 301 or 302.
    if ((status == 303 && m_requestMethod != "HEAD")
        || ((status == 301 || status == 302) && m_requestMethod == "POST")) {
        m_requestMethod = "GET";
        m_requestBody.clear();
        m_requestHeaders.removeIf(
            [](const HttpHeader &h) { return h.first.compare("Content-Type", Qt::CaseInsensitive) == 0; });
    }
    // Credentials go to the origin they were given for, never on to another one.
    const bool sameOrigin = target.scheme().compare(from.scheme(), Qt::CaseInsensitive) == 0
                            && target.host().compare(from.host(), Qt::CaseInsensitive) == 0
                            && target.port(-1) == from.port(-1);
    if (!sameOrigin) {
        m_requestHeaders.removeIf([](const HttpHeader &h) { return isCredentialHeader(h.first); });
    }
    qCDebug(lcSse) << "redirect" << status << "to" << target;
    m_requestUrl = target;
    sendRequest();
    return true;
}

bool EventSource::recordExchange(const HttpResponseHead &head)
{
    HttpExchange exchange;
    const HttpStream::Request &request = m_stream->request();
    exchange.url = request.url;
    exchange.method = request.method;
    exchange.requestHeaders = request.headers;
    exchange.requestBodyBytes = request.body.size();
    exchange.status = head.status;
    exchange.reason = head.reason;
    exchange.version = head.version;
    for (const char *name : HttpExchange::kStreamingHeaders) {
        const QList<QByteArray> values = head.values(name);
        for (qsizetype i = 0; i < std::min(values.size(), HttpExchange::kMaxValuesPerHeader); ++i)
            exchange.responseHeaders.append({QByteArray(name), values[i].left(HttpExchange::kMaxValueBytes)});
    }
    exchange.headMs = m_requestClock.elapsed();
    const QPointer<EventSource> self(this);
    emit exchangeRecorded(exchange);
    return !self.isNull() && m_stream;
}

void EventSource::checkResponseHead()
{
    if (m_headChecked || !m_stream)
        return;
    const HttpResponseHead &head = m_stream->head();
    const int status = head.status;
    m_headChecked = true;
    if (!recordExchange(head))
        return;   // deleted by a receiver
    if (HttpExchange::isRedirectStatus(status)) {
        followRedirect(status);
        return;
    }
    if (status == 204) {
        qCDebug(lcSse) << "204: the server asks us to stop";
        stop(QStringLiteral("the server ended the stream with 204 No Content"));
        return;
    }
    if (status != 200) {
        const QString reason = QString::fromLatin1(head.reason);
        fail(Error::HttpStatus, QStringLiteral("HTTP %1%2 from %3")
                                    .arg(status)
                                    .arg(reason.isEmpty() ? QString() : u' ' + reason, shownUrl(m_requestUrl)));
        return;
    }
    const QByteArray contentType = head.value("Content-Type");
    if (!HttpExchange::isEventStreamType(contentType)) {
        fail(Error::ContentType, QStringLiteral("Content-Type is '%1', not text/event-stream, at %2")
                                     .arg(QString::fromLatin1(contentType), shownUrl(m_requestUrl)));
        return;
    }
    markOpen();
}

void EventSource::readAvailable()
{
    if (!m_headChecked || !m_stream || state() != State::Open)
        return;
    // In slices: what one readyRead brings (up to the read-ahead) is parsed and handed over a
    // part at a time, so its events are never all in one batch.
    while (processSlice()) {}
}

bool EventSource::processSlice()
{
    const QByteArray chunk = m_stream->read(kSliceBytes);
    if (chunk.isEmpty())
        return false;
    countBytes(chunk.size());
    if (m_config.idleTimeout() > 0)
        m_idleTimer.start(m_config.idleTimeout());
    {
        const QPointer<EventSource> self(this);
        const HttpStream *stream = m_stream.get();
        emit rawReceived(chunk, RawKind::StreamBytes);
        if (!self || m_stream.get() != stream)
            return false;   // a receiver closed or deleted us
    }

    SseBatch batch = m_parser.feed(chunk, 0, chunk.size());
    if (const auto retry = m_parser.reconnectionTimeMs())
        policy().setServerRetryMs(*retry);
    const std::optional<SseBatch> beforeDone = beforeDoneMarker(batch);
    const bool done = beforeDone.has_value();
    if (done)
        batch = *beforeDone;

    // Slots may close or even delete us; stop touching anything once they have.
    QPointer<EventSource> self(this);
    const HttpStream *stream = m_stream.get();
    const auto stillCurrent = [&] { return self && m_stream.get() == stream; };

    if (m_parser.discardedEvents() != m_discardedSeen) {
        const quint64 count = m_parser.discardedEvents() - m_discardedSeen;
        m_discardedSeen = m_parser.discardedEvents();
        emit eventsDiscarded(count,
                             QStringLiteral("an event or line longer than %1 was dropped unread")
                                 .arg(QLocale::c().formattedDataSize(
                                     std::min(m_parser.limits().maxLineBytes, m_parser.limits().maxEventBytes), 0)));
        if (!stillCurrent())
            return false;
    }

    if (m_parser.commentCount() != m_commentsSeen) {
        m_commentsSeen = m_parser.commentCount();
        emit commentsReceived(m_commentsSeen, QString::fromUtf8(m_parser.lastComment()));
        if (!stillCurrent())
            return false;
    }
    if (!batch.isEmpty()) {
        countEvents(batch.size());
        emit eventsReceived(batch);
        if (!stillCurrent())
            return false;
    }
    if (done) {
        qCDebug(lcSse) << "end marker received";
        stop(endMarkerReason(*m_config.doneMarker));
        return false;
    }
    return true;
}

std::optional<SseBatch> EventSource::beforeDoneMarker(const SseBatch &batch) const
{
    if (!m_config.doneMarker)
        return std::nullopt;
    const QByteArrayView marker = *m_config.doneMarker;
    for (qsizetype i = 0; i < batch.size(); ++i) {
        if (batch.at(i).data() == marker)
            return batch.first(i);
    }
    return std::nullopt;
}

void EventSource::streamFinished()
{
    if (!m_stream)
        return;
    const HttpStream::Error error = m_stream->error();
    const QString errorText = m_stream->errorString();
    const bool wasOpen = state() == State::Open;
    dropConnection();

    switch (error) {
    case HttpStream::Error::Tls:
    case HttpStream::Error::Request:
        fail(Error::Network, errorText);   // neither a certificate nor our request gets better by asking again
        break;
    case HttpStream::Error::NoError:
        retryOrStop(QStringLiteral("the server closed the stream"), Error::NoError, !wasOpen);
        break;
    case HttpStream::Error::Network:
    case HttpStream::Error::Protocol:
        retryOrStop(errorText, Error::Network, !wasOpen);
        break;
    }
}

void EventSource::idleTimedOut()
{
    const bool wasOpen = state() == State::Open;
    dropConnection();
    retryOrStop(QStringLiteral("no data for %1 ms").arg(m_config.idleTimeout()), Error::Network, !wasOpen);
}

void EventSource::dropConnection()
{
    m_idleTimer.stop();
    if (m_stream) {
        m_stream->disconnect(this);
        m_stream.reset();
    }
}

}   // namespace Clickscope
