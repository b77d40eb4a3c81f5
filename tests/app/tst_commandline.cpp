// SPDX-License-Identifier: MIT
// The `clickscope` executable itself: the screenshot tool the README uses, and what it says about
// bad flags. Runs the real binary, offscreen, with its settings in a scratch folder.
#include "clickscope/version.h"
#include "support/ports.h"
#include "support/processrunner.h"

#include <QImage>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

namespace {

constexpr int kWaitMs = 30'000;

using Run = Clickscope::Testing::ProcessResult;

// `scratch` holds the settings and the runtime folder (without one Qt warns on stderr).
Run run(const QStringList &arguments, const QString &scratch)
{
    Clickscope::Testing::ProcessOptions options;
    options.environment = QProcessEnvironment::systemEnvironment();
    options.environment.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    options.environment.insert(QStringLiteral("XDG_CONFIG_HOME"), scratch + QStringLiteral("/config"));
    options.environment.insert(QStringLiteral("XDG_RUNTIME_DIR"), scratch);   // a QTemporaryDir: 0700, as Qt wants
    options.timeoutMs = kWaitMs;
    return Clickscope::Testing::runProcess(QStringLiteral(CLICKSCOPE_APP), arguments, options);
}

}   // namespace

class TestCommandLine : public QObject
{
    Q_OBJECT

private slots:
    void demoScreenshotShowsALiveDashboard();
    void badFlagsAreUsageErrors_data();
    void badFlagsAreUsageErrors();
    void versionAndHelp();
    void severalUrlsOpenTheOverview();

private:
    QTemporaryDir m_config;
};

void TestCommandLine::demoScreenshotShowsALiveDashboard()
{
    QTemporaryDir dir;
    const QString file = dir.filePath(QStringLiteral("shot.png"));
    const Run result = run({QStringLiteral("--demo"), QStringLiteral("--screenshot"), file, QStringLiteral("--after"),
                            QStringLiteral("5")},
                           m_config.path());
    QVERIFY2(result.exitCode == 0, result.err.constData());
    const QImage image(file);
    QVERIFY(!image.isNull());
    QVERIFY2(image.width() >= 1000 && image.height() >= 700,
             qPrintable(QStringLiteral("%1x%2").arg(image.width()).arg(image.height())));
    // Live data draws bars in the series blue (#2e86de): the welcome page, an empty dashboard or a
    // chart that failed to draw has none of it.
    int blue = 0;
    for (int y = 0; y < image.height(); ++y) {
        for (int x = 0; x < image.width(); ++x)
            blue += (image.pixel(x, y) & 0xffffff) == 0x2e86de ? 1 : 0;
    }
    QVERIFY2(blue > 500, qPrintable(QString::number(blue)));
}

void TestCommandLine::badFlagsAreUsageErrors_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("message");
    QTest::newRow("unknown option") << QStringList{"--frobnicate"} << "Unknown option 'frobnicate'";
    QTest::newRow("after not a number") << QStringList{"--screenshot", "x.png", "--after", "soon"} << "--after needs";
    QTest::newRow("negative after") << QStringList{"--after", "-1"} << "--after needs";
    QTest::newRow("bad map") << QStringList{"--map", "link=payload"} << "--map:";
    QTest::newRow("unknown map field") << QStringList{"--map", "colour=/c"} << "--map:";
    QTest::newRow("bad header") << QStringList{"--header", "NoColon"} << "--header:";
    QTest::newRow("bad theme") << QStringList{"--theme", "purple"} << "--theme must be";
    QTest::newRow("url and demo") << QStringList{"http://127.0.0.1:1/", "--demo"} << "either a URL or --demo";
    QTest::newRow("a recording with a url")
        << QStringList{QCoreApplication::applicationFilePath(), "http://127.0.0.1:1/"} << "replays alone";
    QTest::newRow("a bad second url") << QStringList{"http://127.0.0.1:1/", "ftp://127.0.0.1:2/"}
                                      << "'ftp://127.0.0.1:2/':";
    QTest::newRow("compare without a stream")
        << QStringList{"--compare", "ws://127.0.0.1:1/ws"} << "--compare needs a URL (or --demo)";
}

void TestCommandLine::badFlagsAreUsageErrors()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, message);
    const Run result = run(arguments, m_config.path());
    QCOMPARE(result.exitCode, 2);
    QVERIFY2(result.err.startsWith("clickscope: "), result.err.constData());
    QVERIFY2(result.err.contains(message.toUtf8()), result.err.constData());
}

void TestCommandLine::versionAndHelp()
{
    const Run version = run({QStringLiteral("--version")}, m_config.path());
    QCOMPARE(version.exitCode, 0);
    QVERIFY2(version.out.startsWith("Clickscope " CLICKSCOPE_VERSION), version.out.constData());
    const Run help = run({QStringLiteral("--help")}, m_config.path());
    QCOMPARE(help.exitCode, 0);
    for (const char *flag : {"--demo", "--header", "--map", "--theme", "--compare", "--screenshot", "--after"})
        QVERIFY2(help.out.contains(flag), flag);
}

void TestCommandLine::severalUrlsOpenTheOverview()
{
    // Four streams nobody answers: each retries, red in the list and in the overview.
    const quint16 port = Clickscope::Testing::unusedPort();
    QTemporaryDir dir;
    const QString file = dir.filePath(QStringLiteral("four.png"));
    QStringList arguments;
    for (const char *path : {"/events", "/events/a", "/events/b", "/events/c"})
        arguments << QStringLiteral("http://127.0.0.1:%1%2").arg(port).arg(QLatin1String(path));
    arguments << QStringLiteral("--screenshot") << file << QStringLiteral("--after") << QStringLiteral("3");
    const Run result = run(arguments, m_config.path());
    QVERIFY2(result.exitCode == 0, result.err.constData());
    const QImage image(file);
    QVERIFY(!image.isNull());
    // The state marks are filled circles of the failure red (#c0392b): four in the list and four
    // in the overview. One stream's dashboard, or a list without them, has none.
    int red = 0;
    for (int y = 0; y < image.height(); ++y) {
        for (int x = 0; x < image.width(); ++x)
            red += (image.pixel(x, y) & 0xffffff) == 0xc0392b ? 1 : 0;
    }
    QVERIFY2(red > 8 * 40, qPrintable(QString::number(red)));
}

QTEST_GUILESS_MAIN(TestCommandLine)
#include "tst_commandline.moc"
