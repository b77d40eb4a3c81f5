// SPDX-License-Identifier: MIT
#include "core/options/optionreader.h"

#include <QTest>

using Clickscope::OptionReader;
using Clickscope::Result;

class TestOptionReader : public QObject
{
    Q_OBJECT
private slots:
    void readsGivenAndDefaultValues();
    void refusesWithTheOptionAndItsRange_data();
    void refusesWithTheOptionAndItsRange();
    void keepsTheFirstProblem();
    void resultCarriesValueOrError();
};

namespace {

const QCommandLineOption kPort(QStringLiteral("port"), QString(), QStringLiteral("P"), QStringLiteral("8080"));
const QCommandLineOption kCount(QStringLiteral("count"), QString(), QStringLiteral("N"));
const QCommandLineOption kRate(QStringLiteral("rate"), QString(), QStringLiteral("R"));
const QCommandLineOption kTimeout({QStringLiteral("t"), QStringLiteral("timeout")}, QString(), QStringLiteral("S"));

void parse(QCommandLineParser &parser, const QStringList &arguments)
{
    parser.addOptions({kPort, kCount, kRate, kTimeout});
    QVERIFY2(parser.parse(QStringList{QStringLiteral("prog")} + arguments), qPrintable(parser.errorText()));
}

}   // namespace

void TestOptionReader::readsGivenAndDefaultValues()
{
    QCommandLineParser parser;
    parse(parser, {"--count", " 42 ", "-t", "0.5"});
    OptionReader read(parser);
    quint16 port = 0;
    qint64 count = 0;
    double rate = 7;
    int timeoutMs = 0;
    read.wholeNumber(kPort, 0, 65535, port);   // not given: its default value is read
    read.wholeNumber(kCount, 1, OptionReader::kNoMax, count);
    read.number(kRate, 0, 100, rate);   // not given, no default: left alone
    QCOMPARE(read.positiveNumber(kTimeout), 0.5);
    read.wholeSeconds(kPort, 0, 65535, timeoutMs);
    QVERIFY(read.result());
    QCOMPARE(port, quint16(8080));
    QCOMPARE(count, qint64(42));
    QCOMPARE(rate, 7.0);
    QCOMPARE(timeoutMs, 8'080'000);
}

void TestOptionReader::refusesWithTheOptionAndItsRange_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("message");
    QTest::newRow("port not a number") << QStringList{"--port", "x"}
                                       << "--port needs a whole number from 0 to 65535, not 'x'";
    QTest::newRow("port too large") << QStringList{"--port", "65536"}
                                    << "--port needs a whole number from 0 to 65535, not '65536'";
    QTest::newRow("count 0") << QStringList{"--count", "0"} << "--count needs a positive whole number, not '0'";
    QTest::newRow("count 10^23") << QStringList{"--count", "100000000000000000000000"}
                                 << "--count needs a positive whole number, not '100000000000000000000000'";
    QTest::newRow("rate NaN") << QStringList{"--rate", "nan"} << "--rate needs a number from 0 to 100, not 'nan'";
    QTest::newRow("timeout 0") << QStringList{"--timeout", "0"} << "--timeout needs a positive number, not '0'";
    QTest::newRow("timeout inf") << QStringList{"-t", "inf"} << "--timeout needs a positive number, not 'inf'";
}

void TestOptionReader::refusesWithTheOptionAndItsRange()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, message);
    QCommandLineParser parser;
    parse(parser, arguments);
    OptionReader read(parser);
    int port = 1;
    qint64 count = 1;
    double rate = 1;
    read.wholeNumber(kPort, 0, 65535, port);
    read.wholeNumber(kCount, 1, OptionReader::kNoMax, count);
    read.number(kRate, 0, 100, rate);
    read.positiveNumber(kTimeout);
    const Result<void> result = read.result();
    QVERIFY(!result);
    QCOMPARE(result.error(), message);
}

void TestOptionReader::keepsTheFirstProblem()
{
    QCommandLineParser parser;
    parse(parser, {"--count", "-1", "--port", "99999"});
    OptionReader read(parser);
    qint64 count = 5;
    int port = 5;
    read.wholeNumber(kCount, 1, 10, count);
    read.wholeNumber(kPort, 0, 65535, port);
    QCOMPARE(read.result().error(), QStringLiteral("--count needs a whole number from 1 to 10, not '-1'"));
    QCOMPARE(count, qint64(5));
    QCOMPARE(port, 5);   // read after the first problem: skipped, not overwritten
}

void TestOptionReader::resultCarriesValueOrError()
{
    const auto half = [](int n) -> Result<int> {
        if (n % 2)
            return Clickscope::unexpected(QStringLiteral("%1 is odd").arg(n));
        return n / 2;
    };
    QVERIFY(half(4));
    QCOMPARE(*half(4), 2);
    QCOMPARE(half(4).value_or(-1), 2);
    QVERIFY(!half(3));
    QCOMPARE(half(3).error(), QStringLiteral("3 is odd"));
    QCOMPARE(half(3).value_or(-1), -1);
}

QTEST_GUILESS_MAIN(TestOptionReader)
#include "tst_optionreader.moc"
