// SPDX-License-Identifier: MIT
#include "core/http/httpstream.h"

#include "core/http/httpsyntax.h"
#include "core/logging.h"

#include <QCoreApplication>
#include <QNetworkCookie>
#include <QNetworkCookieJar>
#include <QSslConfiguration>
#include <QSslSocket>
#include <QTcpSocket>

#include <algorithm>

namespace Clickscope {
namespace {

// The framing of the request is ours alone: a caller's own length or coding would contradict it.
bool isFramingHeader(QByteArrayView name)
{
    return name.compare("Content-Length", Qt::CaseInsensitive) == 0
           || name.compare("Transfer-Encoding", Qt::CaseInsensitive) == 0
           || name.compare("Connection", Qt::CaseInsensitive) == 0;
}

bool methodTakesBody(QByteArrayView method) { return method == "POST" || method == "PUT" || method == "PATCH"; }

}   // namespace

HttpStream::HttpStream(Request request, QNetworkCookieJar *cookies, qint64 readAheadBytes, QObject *parent)
    : QObject(parent)
    , m_request(std::move(request))
    , m_cookies(cookies)
    , m_readAheadBytes(readAheadBytes)
{}

HttpStream::~HttpStream() { abort(); }

void HttpStream::start()
{
    const auto failLater = [this](Error error, const QString &message) {
        m_pendingError = error;
        m_pendingErrorString = message;
        checkEndLater();
    };
    for (const auto &[name, value] : std::as_const(m_request.headers)) {
        if (!HttpSyntax::isToken(name) || !HttpSyntax::isFieldValue(value)) {
            failLater(Error::Request, QStringLiteral("the request header '%1' holds a control character or is empty")
                                          .arg(QString::fromLatin1(name)));
            return;
        }
    }
    if (!HttpSyntax::isToken(m_request.method)) {
        failLater(Error::Request,
                  QStringLiteral("'%1' is not an HTTP method").arg(QString::fromLatin1(m_request.method)));
        return;
    }

    const bool tls = m_request.url.scheme().compare(u"https", Qt::CaseInsensitive) == 0;
    if (tls) {
        if (!QSslSocket::supportsSsl()) {
            failLater(Error::Tls, QStringLiteral("https is not available: Qt found no TLS library (%1)")
                                      .arg(QSslSocket::sslLibraryVersionString()));
            return;
        }
        auto *socket = new QSslSocket(this);
        QSslConfiguration tlsConfig = socket->sslConfiguration();
        tlsConfig.setAllowedNextProtocols({QByteArray(QSslConfiguration::NextProtocolHttp1_1)});
        socket->setSslConfiguration(tlsConfig);
        connect(socket, &QSslSocket::encrypted, this, &HttpStream::sendRequest);
        m_socket = socket;
    } else {
        m_socket = new QTcpSocket(this);
        connect(m_socket, &QAbstractSocket::connected, this, &HttpStream::sendRequest);
    }
    m_socket->setReadBufferSize(m_readAheadBytes);
    connect(m_socket, &QIODevice::readyRead, this, &HttpStream::socketReadyRead);
    connect(m_socket, &QAbstractSocket::errorOccurred, this, &HttpStream::socketError);
    connect(m_socket, &QAbstractSocket::disconnected, this, [this] {
        m_peerClosed = true;
        socketReadyRead();
    });
    // From the event loop: to an address literal Qt connects, and may fail, before returning,
    // and a caller must never get finished() from inside start().
    QMetaObject::invokeMethod(this, &HttpStream::connectSocket, Qt::QueuedConnection);
}

void HttpStream::connectSocket()
{
    if (m_finished)
        return;
    if (auto *tlsSocket = qobject_cast<QSslSocket *>(m_socket))
        tlsSocket->connectToHostEncrypted(m_request.url.host(), quint16(m_request.url.port(443)));
    else
        m_socket->connectToHost(m_request.url.host(), quint16(m_request.url.port(80)));
}

void HttpStream::sendRequest()
{
    const QUrl &url = m_request.url;
    QByteArray target = url.toEncoded(QUrl::RemoveScheme | QUrl::RemoveAuthority | QUrl::RemoveFragment);
    if (target.isEmpty() || target.front() != '/')
        target.prepend('/');

    QByteArray text;
    text.reserve(512 + m_request.body.size());
    text += m_request.method + ' ' + target + " HTTP/1.1\r\n";
    if (!hasHeader(m_request.headers, "Host"))
        text += "Host: " + url.adjusted(QUrl::RemoveUserInfo).authority(QUrl::FullyEncoded).toLatin1() + "\r\n";
    if (!hasHeader(m_request.headers, "Accept-Encoding"))
        text += "Accept-Encoding: " + HttpContentDecoder::kAcceptEncoding.toByteArray() + "\r\n";
    if (!hasHeader(m_request.headers, "User-Agent")) {
        const QByteArray version = QCoreApplication::applicationVersion().toLatin1();
        text += "User-Agent: Clickscope" + (version.isEmpty() ? QByteArray() : '/' + version) + "\r\n";
    }
    if (!url.userName().isEmpty() && !hasHeader(m_request.headers, "Authorization")) {
        // Credentials in the URL go with the first request, as curl sends them.
        const QByteArray credentials =
            url.userName(QUrl::FullyDecoded).toUtf8() + ':' + url.password(QUrl::FullyDecoded).toUtf8();
        text += "Authorization: Basic " + credentials.toBase64() + "\r\n";
    }
    if (m_cookies && !hasHeader(m_request.headers, "Cookie")) {
        QByteArray cookies;
        for (const QNetworkCookie &cookie : m_cookies->cookiesForUrl(url))
            cookies += (cookies.isEmpty() ? "" : "; ") + cookie.toRawForm(QNetworkCookie::NameAndValueOnly);
        if (!cookies.isEmpty() && HttpSyntax::isFieldValue(cookies))
            text += "Cookie: " + cookies + "\r\n";
    }
    for (const auto &[name, value] : std::as_const(m_request.headers)) {
        if (!isFramingHeader(name))
            text += name + ": " + value + "\r\n";
    }
    if (!m_request.body.isEmpty() || methodTakesBody(m_request.method))
        text += "Content-Length: " + QByteArray::number(m_request.body.size()) + "\r\n";
    text += "\r\n";
    text += m_request.body;
    m_socket->write(text);
    qCDebug(lcSse) << "sent" << m_request.method << url << "from port" << m_socket->localPort();
}

void HttpStream::socketReadyRead()
{
    if (m_finished)
        return;
    QPointer<HttpStream> self(this);
    if (!m_head) {
        if (!readHead() || !self || m_finished)
            return;
    }
    announceBody();
}

void HttpStream::announceBody()
{
    if (m_finished)
        return;
    if (!m_leftover.isEmpty() || m_socket->bytesAvailable() > 0 || (m_decoder && m_decoder->hasPending())) {
        QPointer<HttpStream> self(this);
        m_handedOutSinceAnnounce = 0;
        emit readyRead();
        if (!self || m_finished)
            return;
    }
    checkEnd();
}

void HttpStream::announceBodyLater() { onceLater(m_announceQueued, &HttpStream::announceBody); }

void HttpStream::onceLater(bool &queued, void (HttpStream::*step)())
{
    if (queued || m_finished)
        return;
    queued = true;
    QMetaObject::invokeMethod(
        this,
        [this, &queued, step] {
            queued = false;
            (this->*step)();
        },
        Qt::QueuedConnection);
}

bool HttpStream::readHead()
{
    while (true) {
        m_headBuffer += m_socket->read(kMaxHeadBytes + 1 - m_headBuffer.size());
        const qsizetype end = HttpResponseHead::endIn(m_headBuffer, m_headScannedTo);
        m_headScannedTo = std::max<qsizetype>(0, m_headBuffer.size() - 3);   // an end may straddle the pieces
        if (end < 0) {
            if (m_headBuffer.size() > kMaxHeadBytes)
                finish(Error::Protocol,
                       QStringLiteral("the response head is longer than %1 KiB").arg(kMaxHeadBytes / 1024));
            else
                checkEnd();
            return false;
        }
        const Result<HttpResponseHead> head = HttpResponseHead::parse(QByteArrayView(m_headBuffer).first(end));
        if (!head) {
            finish(Error::Protocol, head.error());
            return false;
        }
        m_headBuffer.remove(0, end);
        m_headScannedTo = 0;
        if (head->status >= 100 && head->status < 200) {
            if (head->status == 101) {
                finish(Error::Protocol,
                       QStringLiteral("the server switched protocols (101) on a request that did not ask it to"));
                return false;
            }
            if (++m_interimResponses > kMaxInterimResponses) {
                finish(Error::Protocol,
                       QStringLiteral("more than %1 interim (1xx) responses").arg(kMaxInterimResponses));
                return false;
            }
            continue;   // 100 Continue, 103 Early Hints: the real response follows
        }
        if (const Result<void> accepted = acceptHead(*head); !accepted) {
            finish(Error::Protocol, accepted.error());
            return false;
        }
        m_leftover = std::exchange(m_headBuffer, {});
        QPointer<HttpStream> self(this);
        emit headReceived();
        return self && !m_finished;
    }
}

Result<void> HttpStream::acceptHead(const HttpResponseHead &head)
{
    Result<HttpBodyFraming> framing = HttpBodyFraming::forResponse(head, m_request.method);
    if (!framing)
        return unexpected(framing.error());
    Result<std::unique_ptr<HttpContentDecoder>> decoder = HttpContentDecoder::forResponse(head);
    if (!decoder)
        return unexpected(decoder.error());
    m_framing = std::move(*framing);
    m_decoder = std::move(*decoder);
    if (m_cookies) {
        for (const QByteArray &field : head.values("Set-Cookie"))
            m_cookies->setCookiesFromUrl(QNetworkCookie::parseCookies(field), m_request.url);
    }
    m_head = head;
    return {};
}

QByteArray HttpStream::read(qint64 maxBytes)
{
    QByteArray out;
    // After a broken body nothing more is read; after a network error, what came before it is.
    if (!m_head || m_finished || m_pendingError == Error::Protocol)
        return out;
    const qint64 allowance = m_readAheadBytes - m_handedOutSinceAnnounce;
    if (allowance <= 0) {
        announceBodyLater();   // the rest on the next turn of the event loop
        return out;
    }
    maxBytes = std::min(maxBytes, allowance);
    QByteArray framed;
    while (out.size() < maxBytes) {
        const qsizetype room = qsizetype(maxBytes) - out.size();
        if (m_decoder && m_decoder->hasPending()) {
            const qsizetype before = out.size();
            if (!m_decoder->decode(out, room)) {
                m_pendingError = Error::Protocol;
                m_pendingErrorString = m_decoder->errorString();
                break;
            }
            if (out.size() > before)
                continue;
        }
        if (m_framing->complete()) {
            m_leftover.clear();   // whatever follows the body is not part of it
            break;
        }
        QByteArray raw;
        if (!m_leftover.isEmpty()) {
            raw = m_leftover.first(std::min(room, m_leftover.size()));
            m_leftover.remove(0, raw.size());
        } else {
            raw = m_socket->read(room);
        }
        if (raw.isEmpty())
            break;
        QByteArray &body = m_decoder ? framed : out;
        framed.clear();
        if (!m_framing->feed(raw, body)) {
            m_pendingError = Error::Protocol;
            m_pendingErrorString = m_framing->errorString();
            break;
        }
        if (m_decoder)
            m_decoder->append(framed);
    }
    m_handedOutSinceAnnounce += out.size();
    if (m_pendingError != Error::NoError || (m_framing->complete() && drained()) || m_peerClosed)
        checkEndLater();
    return out;
}

bool HttpStream::drained() const
{
    return (m_leftover.isEmpty() || m_framing->complete()) && (!m_decoder || !m_decoder->hasPending());
}

void HttpStream::socketError(QAbstractSocket::SocketError error)
{
    if (m_finished)
        return;
    if (error == QAbstractSocket::RemoteHostClosedError) {
        // The end of the data (over TLS a close_notify, which no disconnected() may follow).
        m_peerClosed = true;
        socketReadyRead();
        return;
    }
    const bool tls = error == QAbstractSocket::SslHandshakeFailedError || error == QAbstractSocket::SslInternalError
                     || error == QAbstractSocket::SslInvalidUserDataError;
    m_pendingError = tls ? Error::Tls : Error::Network;
    m_pendingErrorString = m_socket->errorString();
    m_peerClosed = true;
    socketReadyRead();   // what arrived before the error is still read
}

void HttpStream::checkEndLater() { onceLater(m_endCheckQueued, &HttpStream::checkEnd); }

void HttpStream::checkEnd()
{
    if (m_finished)
        return;
    const bool socketEmpty = !m_socket || m_socket->bytesAvailable() == 0;
    if (!m_head) {
        if (m_pendingError != Error::NoError)
            finish(m_pendingError, m_pendingErrorString);
        else if (m_peerClosed && socketEmpty)
            finish(Error::Network,
                   m_headBuffer.isEmpty() && m_interimResponses == 0
                       ? QStringLiteral("the server closed the connection without answering")
                       : QStringLiteral("the server closed the connection in the middle of the response head"));
        return;
    }
    const bool framingFailed = m_pendingError == Error::Protocol || m_pendingError == Error::Request;
    if (framingFailed || (m_framing->complete() && drained())) {
        finish(m_pendingError, m_pendingErrorString);
        return;
    }
    if (!m_peerClosed || !socketEmpty || !drained())
        return;   // more to read first
    if (m_pendingError != Error::NoError)
        finish(m_pendingError, m_pendingErrorString);
    else if (m_framing->kind() == HttpBodyFraming::Kind::UntilClose)
        finish(Error::NoError, {});
    else
        finish(Error::Network, QStringLiteral("the server closed the connection before the end of the response"));
}

void HttpStream::finish(Error error, const QString &message)
{
    if (m_finished)
        return;
    m_error = error;
    m_errorString = message;
    abort();
    emit finished();
}

void HttpStream::abort()
{
    m_finished = true;
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
    }
}

}   // namespace Clickscope
