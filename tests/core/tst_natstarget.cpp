// SPDX-License-Identifier: MIT
// NatsTarget: what a nats:// URL asks for, and a clear message for one that asks for nothing.
#include "core/nats/natstarget.h"
#include "core/source/sourceconfig.h"

#include <QTest>

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
