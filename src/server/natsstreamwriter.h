// SPDX-License-Identifier: MIT
#pragma once

#include "core/nats/natshandshake.h"
#include "core/nats/natsreader.h"
#include "core/nats/natstarget.h"
#include "core/result.h"
#include "core/source/tcpsocketdeleter.h"

#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QObject>
#include <QSslSocket>
#include <QTimer>

#include <functional>
#include <map>
#include <memory>

namespace Clickscope {

// Why a publication was not stored.
struct PublishFailure
{
    enum class Kind {
        Unavailable,   // not now: no connection, no answer, too much already on its way
        TooLarge,      // a message over what the NATS server takes
        BadRequest,    // never: a channel that is no subject token
    };
    Kind kind = Kind::Unavailable;
    QString message;
};

// Writes messages into a JetStream stream and says when JetStream has stored them, for publishers
// that share one stream. It keeps one connection to the NATS server, made again by itself when
// lost (after kRetryMs at first, backing off to kMaxRetryMs), and makes the stream at the first
// connection if it is missing, over `<subjectPrefix>.>` with the retention the settings give.
//
// A publication is answered once: with the stream sequence of each message once JetStream
// acknowledged them all, or with why not (no connection, a refusal, no answer within
// ackTimeoutMs, the connection lost meanwhile). A message whose answer was lost may still have
// been stored: what was acknowledged is never lost, what was not may be there. At most
// kMaxOutstanding messages await their answer and kMaxUnsentBytes wait to be sent; beyond that a
// publication is refused at once, as is a message over the server's max_payload.
//
// A silent server is asked (PING) every kPingMs; one that says nothing for kSilentMs, from the
// connection's start on, is taken for gone.
class NatsStreamWriter : public QObject
{
    Q_OBJECT
public:
    static constexpr int kRetryMs = 200;
    static constexpr int kMaxRetryMs = 5000;
    static constexpr qsizetype kMaxOutstanding = 100'000;
    static constexpr qint64 kMaxUnsentBytes = 16 * 1024 * 1024;
    static constexpr int kPingMs = 2000;
    static constexpr int kSilentMs = 6000;

    struct Settings
    {
        NatsTarget server;   // where, and the credentials
        QByteArray stream = "CLICKS";
        QByteArray subjectPrefix = "clicks";
        qint64 maxMessages = 100'000;
        qint64 maxAgeSeconds = 24 * 3600;
        int ackTimeoutMs = 5000;
    };
    struct Message
    {
        QByteArray subject;
        QByteArray payload;
    };
    using Answer = std::function<void(const Result<QList<quint64>, PublishFailure> &sequences)>;

    explicit NatsStreamWriter(Settings settings, QObject *parent = nullptr);
    ~NatsStreamWriter() override;

    void start();
    // Connected, and the stream is there: publications are taken.
    bool isReady() const { return m_ready; }
    // Why it is not ready (empty while it is).
    QString problem() const { return m_problem; }
    const Settings &settings() const { return m_settings; }
    // The highest stream sequence known here: the stream's last when it was found, then each
    // acknowledgement's.
    quint64 lastKnownSequence() const { return m_lastKnownSequence; }
    // Sends the messages; `answer` is called once, later (never from inside this call).
    void publish(const QList<Message> &messages, Answer answer);

signals:
    void readyChanged(bool ready);

private:
    struct Publication
    {
        QList<quint64> tokens;   // of its messages (those answered are gone from m_messageTokens)
        QList<quint64> sequences;
        qsizetype outstanding = 0;
        QDeadlineTimer deadline;
        Answer answer;
    };
    // What an answer on the inbox is for.
    enum class Setup { StreamInfo, StreamCreate };

    void connectNow();
    void readyRead();
    void lost(const QString &reason);
    void handle(NatsOp &op);
    void sayHello();
    void answered(const QByteArray &token, const NatsOp &reply);
    void setupAnswered(Setup setup, const QByteArray &payload);
    void request(const QByteArray &subject, const QByteArray &payload, Setup setup);
    void setReady(bool ready, const QString &problem = {});
    void fail(quint64 publication, const QString &why);
    void checkDeadlines();
    void keepAlive();
    // Connects again after m_retryMs, which doubles up to kMaxRetryMs.
    void retryLater();

    Settings m_settings;
    std::unique_ptr<QSslSocket, TcpSocketDeleter> m_socket;
    std::unique_ptr<NatsHandshake> m_handshake;   // this connection's
    std::unique_ptr<NatsReader> m_reader;
    QByteArray m_inbox;
    bool m_ready = false;
    QString m_problem;
    int m_retryMs = kRetryMs;
    QTimer m_retryTimer;
    QTimer m_deadlineTimer;
    QTimer m_pingTimer;
    QElapsedTimer m_lastHeard;
    qsizetype m_maxPayload = 1024 * 1024;   // until the server's INFO says
    quint64 m_lastKnownSequence = 0;
    quint64 m_nextToken = 0;
    quint64 m_nextPublication = 0;
    qsizetype m_outstanding = 0;
    std::map<quint64, Setup> m_setupRequests;                           // by token
    std::map<quint64, std::pair<quint64, qsizetype>> m_messageTokens;   // token → publication, index
    std::map<quint64, Publication> m_publications;
};

}   // namespace Clickscope
