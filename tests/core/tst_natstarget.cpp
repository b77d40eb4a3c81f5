// SPDX-License-Identifier: MIT
// NatsTarget: what a nats:// URL asks for, and a clear message for one that asks for nothing.
#include "core/nats/natstarget.h"
#include "core/source/sourceconfig.h"

#include <QFile>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>
#include <QUrlQuery>

using namespace Clickscope;

class TestNatsTarget : public QObject
{
    Q_OBJECT

private slots:
    void coreSubjectsWithCredentials()
    {
        const Result<NatsTarget> plain = NatsTarget::fromUrl(QUrl(QStringLiteral("nats://localhost/clicks.%3E")));
        QVERIFY2(plain, qPrintable(plain.error()));
        QCOMPARE(plain->host, QStringLiteral("localhost"));
        QCOMPARE(plain->port, quint16(NatsTarget::kDefaultPort));
        QCOMPARE(plain->subject, QByteArray("clicks.>"));
        QVERIFY(!plain->isJetStream());
        QVERIFY(plain->token.isEmpty() && plain->user.isEmpty());

        const Result<NatsTarget> token = NatsTarget::fromUrl(QUrl(QStringLiteral("nats://s3cret@h:4333/a.*.c")));
        QVERIFY2(token, qPrintable(token.error()));
        QCOMPARE(token->port, quint16(4333));
        QCOMPARE(token->token, QByteArray("s3cret"));
        QCOMPARE(token->subject, QByteArray("a.*.c"));

        const Result<NatsTarget> user = NatsTarget::fromUrl(QUrl(QStringLiteral("nats://ann:p%40ss@h/x")));
        QVERIFY2(user, qPrintable(user.error()));
        QCOMPARE(user->user, QByteArray("ann"));
        QCOMPARE(user->password, QByteArray("p@ss"));
        QVERIFY(user->token.isEmpty());
    }

    void typedUrlsMayHoldTheRestWildcard()
    {
        // A strict URL path refuses '>', which every NATS user types.
        const QString typed = QStringLiteral("nats://127.0.0.1:4222/clicks.>?stream=S");
        QVERIFY2(checkTypedUrl(typed), qPrintable(checkTypedUrl(typed).error().message));
        const QUrl url = streamUrlFromText(typed);
        QVERIFY(url.isValid());
        QCOMPARE(NatsTarget::fromUrl(url)->subject, QByteArray("clicks.>"));
        QVERIFY(!streamUrlFromText(QStringLiteral("http://127.0.0.1/a>b")).isValid());   // only for NATS
        QCOMPARE(streamUrlText(url), typed);                                             // shown as typed
        QCOMPARE(shownUrl(url), typed);
    }

    void jetStreamStarts()
    {
        const auto target = [](const QString &query) {
            return NatsTarget::fromUrl(QUrl(QStringLiteral("nats://h/clicks.>?stream=CLICKS") + query));
        };
        QCOMPARE(target({})->start, NatsTarget::Start::New);
        QCOMPARE(target({})->stream, QByteArray("CLICKS"));
        QCOMPARE(target(QStringLiteral("&start=first"))->start, NatsTarget::Start::First);
        const Result<NatsTarget> sequence = target(QStringLiteral("&start=seq:42"));
        QCOMPARE(sequence->start, NatsTarget::Start::Sequence);
        QCOMPARE(sequence->startSequence, quint64(42));
        const Result<NatsTarget> time = target(QStringLiteral("&start=time:2026-12-01T10:00:00%2B02:00"));
        QVERIFY2(time, qPrintable(time.error()));
        QCOMPARE(time->start, NatsTarget::Start::Time);
        QCOMPARE(time->startTime, QDateTime(QDate(2026, 12, 1), QTime(8, 0), Qt::UTC));
    }

    void badUrlsSayWhatIsWrong_data()
    {
        QTest::addColumn<QString>("url");
        QTest::addColumn<QString>("says");
        QTest::newRow("no subject") << "nats://h:4222"
                                    << "names no subject";
        QTest::newRow("no subject, slash") << "nats://h:4222/"
                                           << "names no subject";
        QTest::newRow("empty token") << "nats://h/a..b"
                                     << "is not a NATS subject";
        QTest::newRow("> not last") << "nats://h/a.>.b"
                                    << "is not a NATS subject";
        QTest::newRow("* inside a token") << "nats://h/a.b*"
                                          << "is not a NATS subject";
        QTest::newRow("space") << "nats://h/a%20b"
                               << "is not a NATS subject";
        QTest::newRow("too long") << "nats://h/" + QString(2000, u'a') << "at most 1024 bytes";
        QTest::newRow("stream name with a dot") << "nats://h/a?stream=A.B"
                                                << "is not a JetStream stream name";
        QTest::newRow("stream name with an ampersand") << "nats://h/a?stream=A%26B"
                                                       << "is not a JetStream stream name";
        QTest::newRow("start without stream") << "nats://h/a?start=first"
                                              << "needs stream=NAME";
        QTest::newRow("unknown start") << "nats://h/a?stream=S&start=last"
                                       << "is not new, first";
        QTest::newRow("sequence 0") << "nats://h/a?stream=S&start=seq:0"
                                    << "needs a sequence from 1";
        QTest::newRow("sequence over 63 bits") << "nats://h/a?stream=S&start=seq:9223372036854775808"
                                               << "needs a sequence from 1";
        QTest::newRow("sequence not a number") << "nats://h/a?stream=S&start=seq:ten"
                                               << "needs a sequence from 1";
        QTest::newRow("bad time") << "nats://h/a?stream=S&start=time:yesterday"
                                  << "is not a time";
        QTest::newRow("unknown item") << "nats://h/a?queue=q"
                                      << "unknown query item 'queue'";
        QTest::newRow("tls=yes") << "nats://h/a?tls=yes"
                                 << "the only value is tls=required";
        QTest::newRow("certificate without key") << "nats://h/a?tls_cert=/c.pem"
                                                 << "tls_cert= and tls_key= go together";
        QTest::newRow("creds and nkey") << "nats://h/a?creds=/u.creds&nkey=/u.nk"
                                        << "creds= and nkey= both say who we are";
        QTest::newRow("creds twice") << "nats://h/a?creds=/u.creds&creds=/v.creds"
                                     << "creds= is given twice";
        QTest::newRow("no file") << "nats://h/a?tls_ca="
                                 << "tls_ca= names no file";
    }

    void badUrlsSayWhatIsWrong()
    {
        QFETCH(QString, url);
        QFETCH(QString, says);
        const Result<NatsTarget> target = NatsTarget::fromUrl(QUrl(url));
        QVERIFY(!target);
        QVERIFY2(target.error().contains(says), qPrintable(target.error()));
        // The same check guards every entry point.
        const Result<void> checked = checkStreamUrl(QUrl(url));
        QVERIFY(!checked);
        QCOMPARE(checked.error(), target.error());
    }

    void nkeysAreReadAndWrittenAsNatsWritesThem()
    {
        // The user of NATS's own documentation: its seed and the public key servers list.
        const Result<NatsNkey> user =
            NatsNkey::fromSeed(" SUACSSL3UAHUDXKFSNVUZRF5UHPMWZ6BFDTJ7M6USDXIEDNPPQYYYCU3VY\n");
        QVERIFY2(user, qPrintable(user.error()));
        QCOMPARE(user->role(), NatsNkey::Role::User);
        QCOMPARE(user->publicKey(), QByteArray("UDXU4RCSJNZOIQHZNWXHXORDPRTGNJAHAHFRGZNEEJCPQTT2M7NLCNF4"));
        QCOMPARE(user->seed(), QByteArray("SUACSSL3UAHUDXKFSNVUZRF5UHPMWZ6BFDTJ7M6USDXIEDNPPQYYYCU3VY"));

        // RFC 8032's first Ed25519 test: its secret key signs the empty message so.
        const NatsNkey rfc = NatsNkey::fromRawSeed(
            NatsNkey::Role::Account,
            QByteArray::fromHex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"));
        QCOMPARE(rfc.sign({}).toHex(),
                 QByteArray("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590"
                            "a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"));
        const Result<NatsNkey> again = NatsNkey::fromSeed(rfc.seed());
        QVERIFY2(again, qPrintable(again.error()));
        QCOMPARE(again->role(), NatsNkey::Role::Account);
        QCOMPARE(again->publicKey(), rfc.publicKey());
        QVERIFY(rfc.seed().startsWith("SA") && rfc.publicKey().startsWith('A'));

        const QByteArray good = user->seed();
        QByteArray typo = good;
        typo[20] = typo[20] == 'A' ? 'B' : 'A';
        QByteArray spareBit = good;
        spareBit.back() = char(spareBit.back() + 1);   // the same bytes, a bit past their end set
        // A role byte with a bit set past the role (the fuzzer found it): the same key, its CRC right.
        const QByteArray roleBits = "SUASCSL3UAHUDXKFSNVURFZ5UH6BZPWMFDTJZ6BFDTJ7MURFBEDNPCU3VY";
        for (const QByteArray &bad :
             {typo, spareBit, roleBits, good.left(40), good + "A", good + "AA",
              QByteArray("UDXU4RCSJNZOIQHZNWXHXORDPRTGNJAHAHFRGZNEEJCPQTT2M7NLCNF4"),
              QByteArray("SUACSSL3UAHUDXKFSNVUZRF5UHPMWZ6BFDTJ7M6USDXIEDNPPQYYYCU3V1"), QByteArray(1000, 'A')})
            QVERIFY2(!NatsNkey::fromSeed(bad), bad.constData());
    }

    void credentialsFilesGiveTheJwtAndSignTheNonce()
    {
        const QByteArray seed = "SUACSSL3UAHUDXKFSNVUZRF5UHPMWZ6BFDTJ7M6USDXIEDNPPQYYYCU3VY";
        const QByteArray jwt = "eyJ0eXAiOiJKV1QiLCJhbGciOiJlZDI1NTE5LW5rZXkifQ.eyJzdWIiOiJVIn0.c2ln";
        const QByteArray creds = "-----BEGIN NATS USER JWT-----\n" + jwt
                                 + "\n------END NATS USER JWT------\n\n***** IMPORTANT *****\n\n"
                                   "-----BEGIN USER NKEY SEED-----\n"
                                 + seed + "\n------END USER NKEY SEED------\n";
        const Result<NatsCredentials> read = NatsCredentials::fromCredsText(creds);
        QVERIFY2(read, qPrintable(read.error()));
        QCOMPARE(read->jwt, jwt);
        QJsonObject hello;
        read->addTo(hello, "n0nce");
        QCOMPARE(hello.value(u"jwt").toString().toLatin1(), jwt);
        QCOMPARE(hello.value(u"sig").toString().toLatin1(),
                 read->key.sign("n0nce").toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
        QVERIFY(!hello.contains(u"nkey"));

        // A seed alone says who we are by the public key.
        const Result<NatsCredentials> alone = NatsCredentials::fromSeedText(seed);
        QVERIFY2(alone, qPrintable(alone.error()));
        QJsonObject nkeyHello;
        alone->addTo(nkeyHello, {});
        QCOMPARE(nkeyHello.value(u"nkey").toString(),
                 QStringLiteral("UDXU4RCSJNZOIQHZNWXHXORDPRTGNJAHAHFRGZNEEJCPQTT2M7NLCNF4"));
        QVERIFY(!nkeyHello.contains(u"sig"));   // no nonce, nothing to sign

        QByteArray quoted = creds;
        quoted.replace(jwt, jwt + "\",\"x");
        QVERIFY(!NatsCredentials::fromCredsText(quoted));   // nothing may break out of the JSON
        QVERIFY(!NatsCredentials::fromCredsText(creds.left(creds.indexOf("-----BEGIN USER"))));
        const NatsNkey account = NatsNkey::fromRawSeed(NatsNkey::Role::Account, QByteArray(32, 'k'));
        const Result<NatsCredentials> notAUser = NatsCredentials::fromSeedText(account.seed());
        QVERIFY(!notAUser);
        QVERIFY2(notAUser.error().contains(u"not of a user"), qPrintable(notAUser.error()));
    }

    void aTargetWritesItselfBackAsTheSameUrl()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        // A file name that needs escaping in a query.
        const QString path = dir.filePath(QStringLiteral("my creds&more+1%41\u00e9.nk"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("SUACSSL3UAHUDXKFSNVUZRF5UHPMWZ6BFDTJ7M6USDXIEDNPPQYYYCU3VY\n");
        file.close();
        QUrl url(QStringLiteral("nats://ann:p%40ss@h:4333/a.%3E"));
        QUrlQuery query;
        query.addQueryItem(QStringLiteral("stream"), QStringLiteral("S"));
        query.addQueryItem(QStringLiteral("start"), QStringLiteral("seq:42"));
        query.addQueryItem(QStringLiteral("tls"), QStringLiteral("required"));
        query.addQueryItem(QStringLiteral("nkey"), QString::fromUtf8(QUrl::toPercentEncoding(path)));
        url.setQuery(query);
        Result<NatsTarget> target = NatsTarget::fromUrl(url);
        QVERIFY2(target, qPrintable(target.error()));
        QVERIFY(target->tlsRequired() && !target->credentials);   // named, not read yet
        QVERIFY(target->loadFiles());
        QVERIFY(target->credentials);
        Result<NatsTarget> back = NatsTarget::fromUrl(target->url());
        QVERIFY2(back, qPrintable(back.error()));
        QCOMPARE(back->host, target->host);
        QCOMPARE(back->port, target->port);
        QCOMPARE(back->user, QByteArray("ann"));
        QCOMPARE(back->password, QByteArray("p@ss"));
        QCOMPARE(back->subject, QByteArray("a.>"));
        QCOMPARE(back->stream, QByteArray("S"));
        QCOMPARE(back->start, NatsTarget::Start::Sequence);
        QCOMPARE(back->startSequence, quint64(42));
        QVERIFY(back->tlsRequired());
        QCOMPARE(back->nkeyFile, path);
        QVERIFY(back->loadFiles());
        QCOMPARE(back->credentials->key.publicKey(), target->credentials->key.publicKey());
        // The URL as the window shows it and reads it back.
        Result<NatsTarget> shown = NatsTarget::fromUrl(streamUrlFromText(streamUrlText(target->url())));
        QVERIFY2(shown, qPrintable(shown.error()));
        QCOMPARE(shown->nkeyFile, path);
        QCOMPARE(shown->subject, QByteArray("a.>"));
    }

    void filesAreReadWhenConnecting_data()
    {
        QTest::addColumn<QString>("url");
        QTest::addColumn<QString>("says");
        QTest::newRow("no creds file") << "nats://h/a?creds=/nonexistent/u.creds"
                                       << "creds=: cannot read '/nonexistent/u.creds'";
        QTest::newRow("no seed file") << "nats://h/a?nkey=/nonexistent/u.nk"
                                      << "nkey=: cannot read";
        QTest::newRow("empty creds") << "nats://h/a?creds=/dev/null"
                                     << "is not a regular file";
        QTest::newRow("endless creds") << "nats://h/a?creds=/dev/zero"
                                       << "is not a regular file";
        QTest::newRow("endless authority") << "nats://h/a?tls_ca=/dev/zero"
                                           << "tls_ca=: '/dev/zero' is not a regular file";
        QTest::newRow("no certificate file") << "nats://h/a?tls_cert=/nonexistent/c.pem&tls_key=/tmp"
                                             << "tls_cert=: cannot read";
    }

    void filesAreReadWhenConnecting()
    {
        QFETCH(QString, url);
        QFETCH(QString, says);
        // Checking a URL as it is typed reads nothing.
        QVERIFY(checkStreamUrl(QUrl(url)));
        Result<NatsTarget> target = NatsTarget::fromUrl(QUrl(url));
        QVERIFY2(target, qPrintable(target.error()));
        const Result<void> loaded = target->loadFiles();
        QVERIFY(!loaded);
        QVERIFY2(loaded.error().contains(says), qPrintable(loaded.error()));
    }

    void filesThatAreNotWhatTheySaySayWhy()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const auto write = [&dir](const QString &name, const QByteArray &content) {
            QFile file(dir.filePath(name));
            if (file.open(QIODevice::WriteOnly))
                file.write(content);
            return file.fileName();
        };
        const QString text = write(QStringLiteral("text"), "hello\n");
        const QString big = write(QStringLiteral("big"), QByteArray(NatsCredentials::kMaxFileBytes + 1, 'A'));
        const QList<std::pair<QString, QString>> cases{
            {QStringLiteral("creds=") + text, QStringLiteral("not a NATS credentials file")},
            {QStringLiteral("nkey=") + text, QStringLiteral("not an nkey seed")},
            {QStringLiteral("creds=") + big, QStringLiteral("is 65537 bytes, over the limit of 65536 bytes")},
            {QStringLiteral("tls_ca=") + text, QStringLiteral("holds no certificate in PEM")},
        };
        for (const auto &[query, says] : cases) {
            Result<NatsTarget> target = NatsTarget::fromUrl(QUrl(QStringLiteral("nats://h/a?") + query));
            QVERIFY2(target, qPrintable(target.error()));
            const Result<void> loaded = target->loadFiles();
            QVERIFY2(!loaded, qPrintable(query));
            QVERIFY2(loaded.error().contains(says), qPrintable(loaded.error()));
        }
    }

    void sequencesAreWholePositiveNumbers()
    {
        QCOMPARE(NatsTarget::sequenceOf("1"), quint64(1));
        QCOMPARE(NatsTarget::sequenceOf("9223372036854775807"), quint64(9223372036854775807ULL));
        for (const QByteArrayView bad : {"", "0", "01", "-1", "1.5", "9223372036854775808", "99999999999999999999"})
            QCOMPARE(NatsTarget::sequenceOf(bad), quint64(0));
    }
};

QTEST_GUILESS_MAIN(TestNatsTarget)
#include "tst_natstarget.moc"
