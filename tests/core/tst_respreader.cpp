// SPDX-License-Identifier: MIT
#include "core/redis/redistarget.h"
#include "core/redis/respreader.h"

#include <QTest>

using Clickscope::RedisTarget;
using Clickscope::RespReader;
using Clickscope::RespValue;

namespace {

// A reply as text, for readable comparisons: "[message, clicks, {\"a\":1}]", ":3", "nil", "-ERR x".
QString describe(const RespValue &v)
{
    switch (v.type) {
    case RespValue::Type::String:
        return QString::fromUtf8(v.text);
    case RespValue::Type::Status:
        return u'+' + QString::fromUtf8(v.text);
    case RespValue::Type::Error:
        return u'-' + QString::fromUtf8(v.text);
    case RespValue::Type::Integer:
        return u':' + QString::number(v.integer);
    case RespValue::Type::Nil:
        return QStringLiteral("nil");
    case RespValue::Type::Array: {
        QStringList parts;
        for (const RespValue &e : v.elements)
            parts << describe(e);
        return u'[' + parts.join(QStringLiteral(", ")) + u']';
    }
    }
    return {};
}

QStringList readAll(RespReader &reader)
{
    QStringList out;
    while (std::optional<RespValue> v = reader.next())
        out << describe(*v);
    return out;
}

const QByteArray kMixed = "*3\r\n$7\r\nmessage\r\n$6\r\nclicks\r\n$9\r\n{\"a\":\r\n1}\r\n"
                          "+OK\r\n:42\r\n$-1\r\n*-1\r\n-ERR unknown command 'FOO'\r\n"
                          "*2\r\n*2\r\n$1\r\na\r\n:1\r\n*0\r\n"
                          "$0\r\n\r\n";
const QStringList kMixedReplies{"[message, clicks, {\"a\":\r\n1}]", "+OK",           ":42", "nil", "nil",
                                "-ERR unknown command 'FOO'",       "[[a, :1], []]", ""};

}   // namespace

class TestRespReader : public QObject
{
    Q_OBJECT

private slots:
    void readsEveryKindOfValue()
    {
        RespReader reader;
        QVERIFY(reader.feed(kMixed));
        QCOMPARE(readAll(reader), kMixedReplies);
        QVERIFY(!reader.failed());
        QCOMPARE(reader.bufferedBytes(), qsizetype(0));
    }

    void everySplitGivesTheSameReplies()
    {
        for (qsizetype cut = 0; cut <= kMixed.size(); ++cut) {
            RespReader reader;
            QStringList replies;
            reader.feed(QByteArrayView(kMixed).first(cut));
            replies += readAll(reader);
            reader.feed(QByteArrayView(kMixed).sliced(cut));
            replies += readAll(reader);
            QVERIFY2(replies == kMixedReplies, qPrintable(QStringLiteral("split at byte %1").arg(cut)));
        }
        RespReader bytewise;
        QStringList replies;
        for (const char c : kMixed) {
            bytewise.feed(QByteArrayView(&c, 1));
            replies += readAll(bytewise);
        }
        QCOMPARE(replies, kMixedReplies);
    }

    void garbageIsAProtocolError()
    {
        RespReader reader;
        reader.feed("HTTP/1.1 200 OK\r\n\r\n");
        QVERIFY(!reader.next());
        QVERIFY(reader.failed());
        QVERIFY2(reader.errorString().startsWith(u"not the Redis protocol"), qPrintable(reader.errorString()));
        QVERIFY(!reader.feed(":1\r\n"));   // failed for good
        QVERIFY(!reader.next());
    }

    void aHugeArrayIsRefusedBeforeItIsBuilt()
    {
        RespReader reader({1024 * 1024, 1000, 100'000});
        reader.feed("*2000000000\r\n");
        QVERIFY(!reader.next());
        QVERIFY(reader.failed());
        QVERIFY2(reader.errorString().contains(u"an array of 2000000000 elements"), qPrintable(reader.errorString()));
    }

    void tooManyValuesInOneReplyAreRefused()
    {
        // Arrays within the per-array limit, nested so that the reply as a whole is not.
        RespReader reader({1024 * 1024, 100, 500});
        QByteArray reply = "*100\r\n";
        for (int i = 0; i < 100; ++i)
            reply += "*9\r\n:1\r\n:2\r\n:3\r\n:4\r\n:5\r\n:6\r\n:7\r\n:8\r\n:9\r\n";
        reader.feed(reply);
        QVERIFY(!reader.next());
        QVERIFY(reader.failed());
        QVERIFY2(reader.errorString().contains(u"more than 500 values"), qPrintable(reader.errorString()));
    }

    void aStringThatNeverEndsIsCutAtTheLimit()
    {
        RespReader reader({64 * 1024, 1000, 1000});
        reader.feed("$1000000000\r\n");
        const QByteArray junk(4096, 'x');
        int fed = 0;
        while (!reader.failed() && fed < 1000) {
            reader.feed(junk);
            (void)reader.next();
            QVERIFY(reader.bufferedBytes() <= 64 * 1024 + junk.size());
            ++fed;
        }
        QVERIFY(reader.failed());
        QVERIFY2(reader.errorString().contains(u"more than 65536 bytes"), qPrintable(reader.errorString()));
    }

    void stringsOfOneReplyCountTogether()
    {
        // Each string fits; together they are over the reply's budget.
        RespReader reader({1000, 1000, 1000});
        QByteArray reply = "*3\r\n";
        for (int i = 0; i < 3; ++i)
            reply += "$400\r\n" + QByteArray(400, 'y') + "\r\n";
        reader.feed(reply);
        QVERIFY(!reader.next());
        QVERIFY(reader.failed());
        QVERIFY2(reader.errorString().contains(u"more than 1000 bytes"), qPrintable(reader.errorString()));
        // A reply within it, on a fresh reader, passes: the budget is per reply.
        RespReader fresh({1000, 1000, 1000});
        for (int i = 0; i < 5; ++i)
            fresh.feed("*2\r\n$400\r\n" + QByteArray(400, 'z') + "\r\n:1\r\n");
        QCOMPARE(readAll(fresh).size(), 5);
        QVERIFY(!fresh.failed());
    }

    void commandsAreArraysOfBulkStrings()
    {
        QCOMPARE(Clickscope::respCommand({"XREAD", "STREAMS", "k", ""}),
                 QByteArray("*4\r\n$5\r\nXREAD\r\n$7\r\nSTREAMS\r\n$1\r\nk\r\n$0\r\n\r\n"));
        RespReader reader;
        reader.feed(Clickscope::respCommand({"a\r\nb", QByteArrayView("\0x", 2)}));
        const std::optional<RespValue> value = reader.next();
        QVERIFY(value && value->elements.size() == 2);
        QCOMPARE(value->elements[0].text, QByteArray("a\r\nb"));
        QCOMPARE(value->elements[1].text, QByteArray("\0x", 2));   // binary-safe
    }

    void targets_data()
    {
        QTest::addColumn<QString>("url");
        QTest::addColumn<QString>("described");   // kind|name|start|user|password|port, or "error: …"
        QTest::newRow("channel") << "redis://localhost/pubsub/clicks"
                                 << "channel|clicks|||||6379";
        QTest::newRow("pattern") << "redis://h:7000/pubsub/clicks.*"
                                 << "pattern|clicks.*|||||7000";
        QTest::newRow("encoded name") << "redis://h/pubsub/my%20clicks"
                                      << "channel|my clicks|||||6379";
        QTest::newRow("stream default start") << "redis://h/stream/s"
                                              << "stream|s|$||||6379";
        QTest::newRow("stream from the first") << "redis://h/stream/s?start=0"
                                               << "stream|s|0||||6379";
        QTest::newRow("stream after an id") << "redis://h/stream/s?start=1700000000000-5"
                                            << "stream|s|1700000000000-5||||6379";
        QTest::newRow("password alone") << "redis://secret@h/pubsub/c"
                                        << "channel|c|||secret||6379";
        QTest::newRow("user and password") << "redis://ann:pw@h/pubsub/c"
                                           << "channel|c||ann|pw||6379";
        QTest::newRow("no path") << "redis://h"
                                 << "error: a Redis URL names";
        QTest::newRow("unknown kind") << "redis://h/list/x"
                                      << "error: a Redis URL names";
        QTest::newRow("no channel") << "redis://h/pubsub/"
                                    << "error: names no channel";
        QTest::newRow("no key") << "redis://h/stream"
                                << "error: names no stream key";
        QTest::newRow("bad start") << "redis://h/stream/s?start=latest"
                                   << "error: start=latest is not";
        QTest::newRow("unknown query") << "redis://h/stream/s?from=0"
                                       << "error: unknown query item 'from'";
        QTest::newRow("query on pubsub") << "redis://h/pubsub/c?start=0"
                                         << "error: takes no query";
        QTest::newRow("bad kind, with a password") << "redis://:secret@h/list/x"
                                                   << "error: a Redis URL names";
        QTest::newRow("id beyond 64 bits") << "redis://h/stream/s?start=18446744073709551616-0"
                                           << "error: is not $, 0 or an entry id";
        QTest::newRow("largest id") << "redis://h/stream/s?start=18446744073709551615-18446744073709551615"
                                    << "stream|s|18446744073709551615-18446744073709551615||||6379";
        QTest::newRow("not redis") << "http://h/pubsub/c"
                                   << "error: is not a redis:// URL";
    }

    void targets()
    {
        QFETCH(QString, url);
        QFETCH(QString, described);
        const auto target = RedisTarget::fromUrl(QUrl(url));
        if (described.startsWith(u"error: ")) {
            QVERIFY(!target);
            QVERIFY2(target.error().contains(described.mid(7)), qPrintable(target.error()));
            QVERIFY2(!target.error().contains(u"secret"), "a password never appears in a message");
            return;
        }
        QVERIFY2(target, qPrintable(target ? QString() : target.error()));
        const char *kinds[] = {"channel", "pattern", "stream"};
        const QString got = QStringLiteral("%1|%2|%3|%4|%5||%6")
                                .arg(QString::fromLatin1(kinds[int(target->kind)]), QString::fromUtf8(target->name),
                                     QString::fromUtf8(target->start), QString::fromUtf8(target->user),
                                     QString::fromUtf8(target->password))
                                .arg(target->port);
        QCOMPARE(got, described);
    }
};

QTEST_GUILESS_MAIN(TestRespReader)
#include "tst_respreader.moc"
