// SPDX-License-Identifier: MIT
#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QDateTime>
#include <QString>
#include <QUrl>

namespace Clickscope {

// What a nats:// URL asks to read:
//   nats://[user:password@|token@]host[:port]/SUBJECT
//       a core NATS subscription; SUBJECT may hold the wildcards * (one token) and > (the rest)
//   nats://…/SUBJECT?stream=NAME[&start=new|first|seq:N|time:ISO8601]
//       the JetStream stream NAME, its messages on SUBJECT, from the next one published (new, the
//       default), the first it keeps, sequence N, or the first stored at or after a time
// The port defaults to 4222; the subject is percent-decoded (> may be written %3E).
struct NatsTarget
{
    static constexpr int kDefaultPort = 4222;
    // Longer subjects are refused: a subject is part of every message's control line.
    static constexpr qsizetype kMaxSubjectBytes = 1024;

    enum class Start { New, First, Sequence, Time };

    QString host;
    quint16 port = kDefaultPort;
    QByteArray user;       // with a password
    QByteArray password;   // with a user
    QByteArray token;      // the user info alone
    QByteArray subject;
    QByteArray stream;   // empty: core NATS
    Start start = Start::New;
    quint64 startSequence = 0;   // Start::Sequence, from 1
    QDateTime startTime;         // Start::Time, in UTC

    bool isJetStream() const { return !stream.isEmpty(); }
    // The CONNECT command a client of this server sends first, with these credentials.
    QByteArray helloCommand() const;

    static Result<NatsTarget> fromUrl(const QUrl &url);
    // A subject a client may subscribe to (wildcards allowed) or, without them, publish to.
    static bool isValidSubject(QByteArrayView subject, bool wildcards);
    // A stream name of letters, digits, - and _, at most 255 bytes.
    static bool isValidStreamName(QByteArrayView name);
    // A stream sequence as written in an event id: 1 to 2^63-1 in decimal (JetStream counts in 64
    // bits, JSON numbers carry 63 of them); 0 when it is not one.
    static quint64 sequenceOf(QByteArrayView text);
};

}   // namespace Clickscope
