// SPDX-License-Identifier: MIT
#pragma once

#include "core/nats/natscredentials.h"
#include "core/result.h"

#include <QByteArray>
#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslKey>
#include <QString>
#include <QUrl>

#include <optional>

class QSslSocket;

namespace Clickscope {

// What a nats:// URL asks to read:
//   nats://[user:password@|token@]host[:port]/SUBJECT
//       a core NATS subscription; SUBJECT may hold the wildcards * (one token) and > (the rest)
//   nats://…/SUBJECT?stream=NAME[&start=new|first|seq:N|time:ISO8601]
//       the JetStream stream NAME, its messages on SUBJECT, from the next one published (new, the
//       default), the first it keeps, sequence N, or the first stored at or after a time
// How to connect goes in the query too, with the stream's items or alone:
//   creds=FILE      a credentials file (the user's JWT and nkey seed)
//   nkey=FILE       a file holding the user's nkey seed
//   tls=required    TLS whatever the server says (otherwise TLS when the server requires it)
//   tls_ca=FILE     the certificates (PEM) a server's certificate must come from, in place of the
//                   system's
//   tls_cert=FILE, tls_key=FILE   our certificate and its key (PEM), for a server that asks
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
    // The files the query names (empty: not given) and tls=required.
    QString credsFile;
    QString nkeyFile;
    QString tlsCaFile;
    QString tlsCertFile;
    QString tlsKeyFile;
    bool tlsAsked = false;
    // What loadFiles() read from them.
    std::optional<NatsCredentials> credentials;
    QList<QSslCertificate> tlsAuthorities;        // empty: the system's
    QList<QSslCertificate> tlsCertificateChain;   // ours, for a server that asks
    QSslKey tlsKey;

    bool isJetStream() const { return !stream.isEmpty(); }
    // TLS whatever the server says: asked for, or a TLS file given.
    bool tlsRequired() const;
    // Reads the files the URL names, as they are now (each connection reads them again, so renewed
    // credentials are picked up); fromUrl() only looks at their names, so that checking a URL as
    // it is typed never touches the disk.
    Result<void> loadFiles();
    // Whether the server's INFO and this target make the connection TLS before anything more is
    // said (then startTls(socket)), or why the two cannot talk.
    Result<bool> usesTls(const QJsonObject &info) const;
    // Turns a connection to this server into TLS: our trust and certificate, its name checked.
    void startTls(QSslSocket &socket) const;
    // The CONNECT command a client of this server sends first, with these credentials (a nonce
    // the INFO carries signed with our nkey); `tls`: whether the connection is.
    QByteArray helloCommand(const QJsonObject &info, bool tls) const;
    // The target as a URL fromUrl() reads back the same.
    QUrl url() const;
    // What TLS with this server trusts and shows: the system's settings with the files read.
    QSslConfiguration tlsConfiguration() const;

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
