// SPDX-License-Identifier: MIT
#pragma once

#include "core/http/httpbodyframing.h"
#include "core/http/httpcontentdecoder.h"
#include "core/http/httpresponsehead.h"
#include "core/source/sourceconfig.h"

#include <QAbstractSocket>
#include <QObject>
#include <QPointer>
#include <QUrl>

#include <memory>
#include <optional>

class QNetworkCookieJar;
class QTcpSocket;

namespace Clickscope {

// One HTTP/1.1 request on a connection of its own, whose response body is read as it arrives:
// the transport under EventSource.
//
// Exactly one request is sent, once: a connection that ends early is reported, never silently
// retried (what to do next is the caller's decision, and the server sees every attempt). The
// socket reads at most `readAheadBytes` ahead of read(), so a server faster than its reader is
// slowed by TCP instead of filling memory, and one readyRead() hands out at most that much of
// the decoded body (a compressed body that inflates a thousandfold is handed out over as many
// turns of the event loop); the response head, chunk lines and trailers have caps of their own.
//
// Signals come from inside the socket's own: delete the stream with deleteLater() from a slot.
class HttpStream : public QObject
{
    Q_OBJECT
public:
    struct Request
    {
        QUrl url;
        QByteArray method = "GET";
        QList<HttpHeader> headers;
        QByteArray body;
    };

    enum class Error {
        NoError,
        Network,    // refused, reset, unreachable, closed before the response ended
        Tls,        // handshake or certificate: retrying the same server does not help
        Protocol,   // the server's answer is not HTTP/1.x as a client can read it
        Request,    // the request cannot be sent as given (a header holds a line break)
    };

    static constexpr qsizetype kMaxHeadBytes = 64 * 1024;
    static constexpr int kMaxInterimResponses = 16;   // 1xx answers before the real one

    HttpStream(Request request, QNetworkCookieJar *cookies, qint64 readAheadBytes, QObject *parent = nullptr);
    ~HttpStream() override;

    // Connects and sends the request; everything after, errors included, arrives as signals.
    void start();
    // Closes the connection; no signal follows.
    void abort();

    const Request &request() const { return m_request; }
    const HttpResponseHead &head() const { return *m_head; }   // valid from headReceived() on
    // Up to `maxBytes` of the body, decoded; empty when nothing more has arrived yet.
    QByteArray read(qint64 maxBytes);
    Error error() const { return m_error; }
    QString errorString() const { return m_errorString; }

signals:
    void headReceived();
    void readyRead();
    // The response ended: cleanly (error() is NoError) or not. The connection is closed.
    void finished();

private:
    void connectSocket();
    void sendRequest();
    void socketReadyRead();
    void announceBody();
    void announceBodyLater();
    bool readHead();
    Result<void> acceptHead(const HttpResponseHead &head);
    void socketError(QAbstractSocket::SocketError error);
    bool drained() const;
    void checkEnd();
    void checkEndLater();
    // `step` on the next turn of the event loop, once however often asked until then.
    void onceLater(bool &queued, void (HttpStream::*step)());
    void finish(Error error, const QString &message);

    Request m_request;
    QPointer<QNetworkCookieJar> m_cookies;
    qint64 m_readAheadBytes;
    QTcpSocket *m_socket = nullptr;   // child
    QByteArray m_headBuffer;          // of the response head while it arrives
    qsizetype m_headScannedTo = 0;    // where the search for its end goes on
    QByteArray m_leftover;            // body bytes that came with the head
    std::optional<HttpResponseHead> m_head;
    std::optional<HttpBodyFraming> m_framing;
    std::unique_ptr<HttpContentDecoder> m_decoder;
    int m_interimResponses = 0;
    bool m_peerClosed = false;
    bool m_finished = false;
    bool m_endCheckQueued = false;
    bool m_announceQueued = false;
    qint64 m_handedOutSinceAnnounce = 0;   // of the body, since the last readyRead()
    // A failure waiting until what arrived before it has been read.
    Error m_pendingError = Error::NoError;
    QString m_pendingErrorString;
    Error m_error = Error::NoError;
    QString m_errorString;
};

}   // namespace Clickscope
