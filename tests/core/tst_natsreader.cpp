// SPDX-License-Identifier: MIT
// NatsReader: every operation a NATS server sends, in any pieces, within its bounds.
#include "core/nats/natsreader.h"

#include <QTest>

using namespace Clickscope;

namespace {

// What a reader makes of `bytes` fed in pieces of `piece` bytes (taking every operation after each).
QList<NatsOp> readAll(QByteArrayView bytes, qsizetype piece, NatsReader::Limits limits = {}, QString *error = nullptr)
{
    NatsReader reader(limits);
    QList<NatsOp> ops;
    for (qsizetype at = 0; at < bytes.size(); at += piece) {
        reader.feed(bytes.sliced(at, std::min(piece, bytes.size() - at)));
        while (std::optional<NatsOp> op = reader.next())
            ops.append(std::move(*op));
    }
    if (error)
        *error = reader.errorString();
    return ops;
}

// A session's worth of what servers send, each kind at least once.
const QByteArray kSession = "INFO {\"server_id\":\"x\",\"headers\":true}\r\n"
                            "+OK\r\n"
                            "PING\r\n"
                            "MSG clicks.eu 1 5\r\nhello\r\n"
                            "msg  clicks.us\t1  _INBOX.r  0\r\n\r\n"
                            "HMSG in.1 2 $JS.ACK.S.C.1.42.42.1700000000000000000.0 28 32\r\n"
                            "NATS/1.0\r\nNats-Msg-Id: a\r\n\r\ndata\r\n"
                            "HMSG in.1 2 _INBOX.fc 44 44\r\n"
                            "NATS/1.0 100 FlowControl Request\r\nKey: v\r\n\r\n\r\n"
                            "PONG\r\n"
                            "-ERR 'Authorization Violation'\r\n";

}   // namespace

class TestNatsReader : public QObject
{
    Q_OBJECT

private slots:
    void readsEveryOperation()
    {
        QString error;
        const QList<NatsOp> ops = readAll(kSession, kSession.size(), {}, &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(ops.size(), 9);
        QCOMPARE(ops[0].type, NatsOp::Type::Info);
        QCOMPARE(ops[0].payload, QByteArray(R"({"server_id":"x","headers":true})"));
        QCOMPARE(ops[1].type, NatsOp::Type::Ok);
        QCOMPARE(ops[2].type, NatsOp::Type::Ping);
        QCOMPARE(ops[3].type, NatsOp::Type::Msg);
        QCOMPARE(ops[3].subject, QByteArray("clicks.eu"));
        QCOMPARE(ops[3].sid, QByteArray("1"));
        QVERIFY(ops[3].replyTo.isEmpty());
        QCOMPARE(ops[3].payload, QByteArray("hello"));
        QCOMPARE(ops[4].subject, QByteArray("clicks.us"));   // lower case, tabs and runs of blanks
        QCOMPARE(ops[4].replyTo, QByteArray("_INBOX.r"));
        QVERIFY(ops[4].payload.isEmpty());
        QCOMPARE(ops[5].headers, QByteArray("NATS/1.0\r\nNats-Msg-Id: a\r\n\r\n"));
        QCOMPARE(ops[5].payload, QByteArray("data"));
        QCOMPARE(ops[5].status(), 0);
        QCOMPARE(ops[5].header("nats-msg-id"), QByteArray("a"));
        QVERIFY(ops[5].header("Other").isNull());
        QCOMPARE(ops[6].status(), 100);
        QCOMPARE(ops[6].header("Key"), QByteArray("v"));
        QVERIFY(ops[6].payload.isEmpty());
        QCOMPARE(ops[7].type, NatsOp::Type::Pong);
        QCOMPARE(ops[8].type, NatsOp::Type::Err);
        QCOMPARE(ops[8].payload, QByteArray("Authorization Violation"));
    }

    void anySplitReadsTheSame()
    {
        const QList<NatsOp> whole = readAll(kSession, kSession.size());
        for (qsizetype piece = 1; piece < 64; ++piece) {
            const QList<NatsOp> split = readAll(kSession, piece);
            QCOMPARE(split.size(), whole.size());
            for (qsizetype i = 0; i < whole.size(); ++i) {
                QCOMPARE(split[i].type, whole[i].type);
                QCOMPARE(split[i].subject, whole[i].subject);
                QCOMPARE(split[i].replyTo, whole[i].replyTo);
                QCOMPARE(split[i].headers, whole[i].headers);
                QCOMPARE(split[i].payload, whole[i].payload);
            }
        }
    }

    void aMessageOverTheLimitIsAnnouncedAndSkippedUnbuffered()
    {
        const QByteArray big(100'000, 'x');
        const QByteArray bytes = "MSG a 1 3\r\nabc\r\nMSG big 1 100000\r\n" + big + "\r\nMSG b 1 2\r\nok\r\nPING\r\n";
        NatsReader::Limits limits;
        limits.maxMessageBytes = 1000;
        for (const qsizetype piece : {qsizetype(7), qsizetype(4096), bytes.size()}) {
            NatsReader reader(limits);
            QList<NatsOp> ops;
            qsizetype mostBuffered = 0;
            for (qsizetype at = 0; at < bytes.size(); at += piece) {
                reader.feed(QByteArrayView(bytes).sliced(at, std::min(piece, bytes.size() - at)));
                mostBuffered = std::max(mostBuffered, reader.bufferedBytes());
                while (std::optional<NatsOp> op = reader.next())
                    ops.append(std::move(*op));
            }
            QVERIFY2(!reader.failed(), qPrintable(reader.errorString()));
            QCOMPARE(ops.size(), 4);
            QCOMPARE(ops[0].payload, QByteArray("abc"));
            QVERIFY(ops[1].dropped);
            QCOMPARE(ops[1].subject, QByteArray("big"));
            QCOMPARE(ops[1].size, qsizetype(100'000));
            QVERIFY(ops[1].payload.isEmpty());
            QCOMPARE(ops[2].payload, QByteArray("ok"));
            QCOMPARE(ops[3].type, NatsOp::Type::Ping);
            // Never more than one feed's worth held: the large body is not kept.
            QVERIFY2(mostBuffered <= std::max<qsizetype>(piece, 64), qPrintable(QString::number(mostBuffered)));
        }
    }

    void aLineThatNeverEndsIsAnErrorAtTheLimit()
    {
        NatsReader::Limits limits;
        limits.maxControlLine = 1024;
        NatsReader reader(limits);
        const QByteArray chunk(512, 'I');
        for (int i = 0; i < 10 && !reader.failed(); ++i) {
            reader.feed(chunk);
            QVERIFY(!reader.next());
            QVERIFY(reader.bufferedBytes() <= 2 * 1024);
        }
        QVERIFY(reader.failed());
        QVERIFY2(reader.errorString().contains(u"longer than 1024 bytes"), qPrintable(reader.errorString()));
        QCOMPARE(reader.bufferedBytes(), qsizetype(0));
    }

    void restartForgetsWhatWasFed()
    {
        // A message half read and a failure: after restart() neither shows in what comes next.
        NatsReader::Limits limits;
        limits.maxMessageBytes = 5000;
        NatsReader reader(limits);
        reader.feed("MSG a 1 10\r\nabcde");
        QVERIFY(!reader.next());
        reader.restart();
        QCOMPARE(reader.bufferedBytes(), qsizetype(0));
        reader.feed("PONG\r\n");
        std::optional<NatsOp> op = reader.next();
        QVERIFY(op);
        QCOMPARE(op->type, NatsOp::Type::Pong);
        reader.feed("HELLO\r\n");
        QVERIFY(!reader.next());
        QVERIFY(reader.failed());
        reader.restart();
        QVERIFY(!reader.failed());
        QCOMPARE(reader.limits().maxMessageBytes, qsizetype(5000));
        reader.feed("MSG b 1 2\r\nok\r\n");
        op = reader.next();
        QVERIFY(op);
        QCOMPARE(op->payload, QByteArray("ok"));
    }

    void malformedInputIsAnError_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("says");
        QTest::newRow("unknown operation") << QByteArray("HELLO world\r\n") << "not a NATS operation";
        QTest::newRow("size not a number") << QByteArray("MSG a 1 x\r\n") << "malformed message line";
        QTest::newRow("negative size") << QByteArray("MSG a 1 -1\r\n") << "malformed message line";
        QTest::newRow("size beyond any server")
            << QByteArray("MSG a 1 100000000000000000000000\r\n") << "malformed message line";
        QTest::newRow("too few fields") << QByteArray("MSG a 3\r\n") << "malformed message line";
        QTest::newRow("too many fields") << QByteArray("MSG a 1 r s 3\r\n") << "malformed message line";
        QTest::newRow("headers over the total") << QByteArray("HMSG a 1 10 5\r\n") << "malformed message line";
        QTest::newRow("body without CRLF") << QByteArray("MSG a 1 2\r\nabcd\r\n") << "not followed by CRLF";
    }

    void malformedInputIsAnError()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, says);
        QString error;
        const QList<NatsOp> ops = readAll(bytes, bytes.size(), {}, &error);
        QVERIFY(ops.isEmpty());
        QVERIFY2(error.contains(says), qPrintable(error));
    }

    void commandsAreWrittenAsNatsReadsThem()
    {
        QCOMPARE(NatsCommand::subscribe("clicks.>", "1"), QByteArray("SUB clicks.> 1\r\n"));
        QCOMPARE(NatsCommand::publish("a.b", {}, "xyz"), QByteArray("PUB a.b 3\r\nxyz\r\n"));
        QCOMPARE(NatsCommand::publish("a.b", "_INBOX.1", {}), QByteArray("PUB a.b _INBOX.1 0\r\n\r\n"));
        QCOMPARE(NatsCommand::connect("{}"), QByteArray("CONNECT {}\r\n"));
    }
};

QTEST_GUILESS_MAIN(TestNatsReader)
#include "tst_natsreader.moc"
