// SPDX-License-Identifier: MIT
// Composes the application: parses the command line, creates the window and tells it what to
// connect to (a URL, or the demo publisher). No logic beyond that.
#include "app/comparewindow.h"
#include "app/mainwindow.h"
#include "clickscope/version.h"
#include "core/options/optionreader.h"
#include "core/system/allocatortuning.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QFileInfo>
#include <QIcon>
#include <QTimer>

#include <cstdio>

namespace {

int usageError(const QString &message)
{
    std::fprintf(stderr, "clickscope: %s\n", qPrintable(message));
    return 2;
}

}   // namespace

int main(int argc, char *argv[])
{
    Clickscope::tuneAllocatorForStreaming();
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("Clickscope"));
    QApplication::setOrganizationName(QStringLiteral("Clickscope"));
    QApplication::setApplicationVersion(QStringLiteral(CLICKSCOPE_VERSION));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/clickscope.png")));
    // Wayland's app id, and what desktops match against the installed desktop entry.
    QGuiApplication::setDesktopFileName(QStringLiteral("io.github.clickscope.Clickscope"));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Live dashboard for click streams."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("URL"),
                                 QStringLiteral("Stream to connect to at start, or a recording to replay; several "
                                                "URLs open several streams, with the overview of them all."),
                                 QStringLiteral("[URL|FILE] [URL…]"));
    const QCommandLineOption demo(QStringLiteral("demo"), QStringLiteral("Starts a local demo stream and shows it."));
    const QCommandLineOption header({QStringLiteral("H"), QStringLiteral("header")},
                                    QStringLiteral("Adds a request header, e.g. 'Authorization: Bearer T'."),
                                    QStringLiteral("K: V"));
    const QCommandLineOption map(QStringLiteral("map"),
                                 QStringLiteral("Reads a click field from a JSON Pointer, e.g. link=/payload/slug "
                                                "(fields: link, country, referrer, device, browser, ts, id)."),
                                 QStringLiteral("FIELD=POINTER"));
    const QCommandLineOption theme(QStringLiteral("theme"), QStringLiteral("system (default), light or dark."),
                                   QStringLiteral("T"));
    const QCommandLineOption screenshot(QStringLiteral("screenshot"),
                                        QStringLiteral("Saves the window to FILE (PNG) and quits; see --after."),
                                        QStringLiteral("FILE"));
    const QCommandLineOption after(QStringLiteral("after"), QStringLiteral("Seconds before --screenshot (default 3)."),
                                   QStringLiteral("S"), QStringLiteral("3"));
    const QCommandLineOption expect(QStringLiteral("expect"),
                                    QStringLiteral("A check on the stream, shown in the connection X-ray, e.g. gaps=0 "
                                                   "(as clickscope-cli check takes them; repeatable)."),
                                    QStringLiteral("CHECK"));
    const QCommandLineOption xray(QStringLiteral("xray"), QStringLiteral("Shows the connection X-ray panel."));
    const QCommandLineOption speed(QStringLiteral("speed"),
                                   QStringLiteral("A recording's pace: N times as recorded (default 1), or max."),
                                   QStringLiteral("N|max"));
    const QCommandLineOption record(
        QStringLiteral("record"), QStringLiteral("Records the stream into FILE from its first byte (Stream ▸ Record)."),
        QStringLiteral("FILE"));
    const QCommandLineOption compare(
        QStringLiteral("compare"),
        QStringLiteral("Compares the stream with the one at URL2 in the compare window (Stream ▸ Compare with another "
                       "stream); --screenshot then saves that window."),
        QStringLiteral("URL2"));
    parser.addOptions({demo, header, map, expect, xray, speed, record, compare, theme, screenshot, after});
    if (!parser.parse(QApplication::arguments()))
        return usageError(parser.errorText());
    if (parser.isSet(QStringLiteral("help")))
        parser.showHelp(0);
    if (parser.isSet(QStringLiteral("version")))
        parser.showVersion();

    QList<Clickscope::HttpHeader> headers;
    for (const QString &line : parser.values(header)) {
        const auto parsed = Clickscope::parseHeaderLine(line);
        if (!parsed)
            return usageError(QStringLiteral("--header: ") + parsed.error());
        headers.append(*parsed);
    }
    const auto mapping = Clickscope::FieldMapping::parse(parser.values(map));
    if (!mapping)
        return usageError(QStringLiteral("--map: ") + mapping.error());
    const auto checks = Clickscope::StreamCheck::parseAll(parser.values(expect));
    if (!checks)
        return usageError(QStringLiteral("--expect: ") + checks.error());
    std::optional<Clickscope::ThemeSwitcher::Theme> chosenTheme;
    if (parser.isSet(theme)) {
        chosenTheme = Clickscope::ThemeSwitcher::fromName(parser.value(theme));
        if (!chosenTheme)
            return usageError(
                QStringLiteral("--theme must be system, light or dark, not '%1'").arg(parser.value(theme)));
    }
    const QStringList positional = parser.positionalArguments();
    if (positional.size() > Clickscope::StreamList::kMaxStreams)
        return usageError(QStringLiteral("at most %1 streams in a window").arg(Clickscope::StreamList::kMaxStreams));
    for (const QString &more : positional.mid(1)) {
        if (QFileInfo(more).isFile())
            return usageError(QStringLiteral("'%1': a recording replays alone, as the only argument").arg(more));
        if (const auto usable = Clickscope::checkStreamUrl(Clickscope::streamUrlFromText(more)); !usable)
            return usageError(QStringLiteral("'%1': %2").arg(more, usable.error()));
    }
    if (!positional.isEmpty() && parser.isSet(demo))
        return usageError(QStringLiteral("give either a URL or --demo, not both"));
    if (!checks->isEmpty() && positional.isEmpty())
        return usageError(QStringLiteral("--expect needs a URL to check"));
    // An existing file is a recording to replay; anything else is a URL.
    const bool recording = !positional.isEmpty() && QFileInfo(positional.first()).isFile();
    if (recording && positional.size() > 1)
        return usageError(QStringLiteral("a recording replays alone, without other streams"));
    double pace = 1;
    Clickscope::OptionReader read(parser);
    read.pace(speed, pace);
    if (const auto ok = read.result(); !ok)
        return usageError(ok.error());
    if (parser.isSet(record) && (positional.isEmpty() || recording) && !parser.isSet(demo))
        return usageError(QStringLiteral("--record needs a URL (or --demo) to record"));
    if (parser.isSet(compare) && (positional.isEmpty() || recording) && !parser.isSet(demo))
        return usageError(QStringLiteral("--compare needs a URL (or --demo) to compare with URL2"));
    if (parser.isSet(speed) && !recording)
        return usageError(QStringLiteral("--speed needs a recording FILE to replay"));
    bool afterOk = false;
    const double afterSeconds = parser.value(after).toDouble(&afterOk);
    if (!afterOk || afterSeconds < 0)
        return usageError(QStringLiteral("--after needs a number of seconds, not '%1'").arg(parser.value(after)));

    Clickscope::MainWindow window;
    if (chosenTheme)
        window.setThemeForThisRun(*chosenTheme);
    window.show();

    if (parser.isSet(demo)) {
        if (!window.startDemo())
            return 1;
    } else if (recording) {
        window.openRecording(positional.first(), pace);
    } else if (positional.isEmpty()) {
        window.restoreLastWorkspace();   // where the user left off, when a workspace was saved
    } else {
        Clickscope::StreamRequest request;
        request.config.url = Clickscope::streamUrlFromText(positional.first());
        request.config.headers = headers;
        request.mapping = *mapping;
        request.checks = *checks;
        window.connectTo(request);
        // The others read the same way; headers go only to the first URL's server, as a bearer
        // token must not travel to another.
        const QUrl first = request.config.url;
        for (const QString &more : positional.mid(1)) {
            request.config.url = Clickscope::streamUrlFromText(more);
            request.config.headers =
                Clickscope::sameServer(request.config.url, first) ? headers : QList<Clickscope::HttpHeader>{};
            window.openStream(request);
        }
        if (positional.size() > 1) {
            window.showStream(0);   // --record and --compare are about the first
            window.showOverview();
        }
    }
    if (parser.isSet(record)) {
        if (const Clickscope::Result<void> started = window.startRecording(parser.value(record)); !started) {
            std::fprintf(stderr, "clickscope: cannot record: %s\n", qPrintable(started.error()));
            return 1;
        }
    }
    if (parser.isSet(xray))
        window.showConnectionXray();
    QWidget *shown = &window;
    if (parser.isSet(compare)) {
        Clickscope::CompareWindow *comparing = window.openCompareWindow();
        comparing->setSecondUrl(parser.value(compare));
        comparing->compare();
        shown = comparing;
    }

    if (parser.isSet(screenshot)) {
        const QString file = parser.value(screenshot);
        QTimer::singleShot(int(afterSeconds * 1000), &window, [&window, shown, file] {
            // The compare window takes the size -geometry gave the main window, which the window
            // system applies after both were shown.
            if (shown != &window && shown->size() != window.size()) {
                shown->resize(window.size());
                QCoreApplication::processEvents();
            }
            const bool saved = shown->grab().save(file, "PNG");
            if (!saved)
                std::fprintf(stderr, "clickscope: cannot write %s\n", qPrintable(file));
            QApplication::exit(saved ? 0 : 1);
        });
    }
    return QApplication::exec();
}
