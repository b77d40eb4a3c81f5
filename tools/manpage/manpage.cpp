// SPDX-License-Identifier: MIT
// clickscope-manpage OUTPUT NAME VERSION "SUMMARY" SEE_ALSO EXE [SUBCOMMAND...]
//
// Runs `EXE --help` (and `EXE SUBCOMMAND --help` for each subcommand) and writes a roff man page
// (section 1): the usage line becomes the synopsis, the text before the first "Xxx:" heading the
// description, and each heading's two-column entries ("  -t, --timeout <S>  Stops after…") a
// list of tagged paragraphs. Continuation lines join the entry above them.
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QStringList>

#include <cstdio>

namespace {

QString escape(QString text)
{
    text.replace(u'\\', QStringLiteral("\\e"));
    if (text.startsWith(u'.') || text.startsWith(u'\''))
        text.prepend(QStringLiteral("\\&"));
    return text;
}

// An option or command name: bold, with its minus signs as roff wants them.
QString term(const QString &text)
{
    QString out = escape(text);
    out.replace(u'-', QStringLiteral("\\-"));
    return QStringLiteral("\\fB") + out + QStringLiteral("\\fR");
}

bool runHelp(const QString &exe, const QStringList &args, QString *out)
{
    QProcess process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    process.setProcessEnvironment(env);
    process.start(exe, args + QStringList{QStringLiteral("--help")});
    if (!process.waitForFinished(30'000) || process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0) {
        std::fprintf(stderr, "clickscope-manpage: %s %s --help failed: %s\n", qPrintable(exe),
                     qPrintable(args.join(u' ')), process.readAllStandardError().constData());
        return false;
    }
    *out = QString::fromUtf8(process.readAllStandardOutput());
    return true;
}

// One --help text as roff, under `heading` when it is a subcommand's.
QString convert(const QString &help, const QString &heading, QString *synopsis)
{
    static const QRegularExpression kEntry(QStringLiteral("^  (\\S.*?)(?:\\s{2,}(\\S.*))?$"));
    static const QRegularExpression kHeading(QStringLiteral("^(\\w[\\w ]*):$"));
    QString out;
    if (!heading.isEmpty())
        out += QStringLiteral(".SH \"%1\"\n").arg(heading.toUpper());
    QStringList description;
    bool inEntries = false;
    bool entryOpen = false;
    for (const QString &line : help.split(u'\n')) {
        if (line.startsWith(QStringLiteral("Usage: "))) {
            const QString usage = line.mid(7).trimmed();
            if (synopsis)
                *synopsis += QStringLiteral(".PP\n") + term(usage.section(u' ', 0, 0)) + u' '
                             + escape(usage.section(u' ', 1)) + u'\n';
            if (!heading.isEmpty())
                out += QStringLiteral(".PP\n") + term(usage.section(u' ', 0, 0)) + u' ' + escape(usage.section(u' ', 1))
                       + u'\n';
            continue;
        }
        if (const auto h = kHeading.match(line); h.hasMatch()) {
            if (!description.isEmpty()) {
                out += QStringLiteral(".PP\n") + escape(description.join(u' ')) + u'\n';
                description.clear();
            }
            out += QStringLiteral(".SS %1\n").arg(h.captured(1));
            inEntries = true;
            entryOpen = false;
            continue;
        }
        if (line.trimmed().isEmpty()) {
            entryOpen = false;
            continue;
        }
        if (!inEntries || line.startsWith(u'\'')) {
            description << line.trimmed();
            continue;
        }
        if (line.startsWith(QStringLiteral("   ")) && entryOpen) {   // continuation
            out += escape(line.trimmed()) + u'\n';
            continue;
        }
        if (const auto e = kEntry.match(line); e.hasMatch()) {
            out += QStringLiteral(".TP\n") + term(e.captured(1)) + u'\n';
            if (!e.captured(2).isEmpty())
                out += escape(e.captured(2)) + u'\n';
            entryOpen = true;
            continue;
        }
        description << line.trimmed();
    }
    if (!description.isEmpty())
        out += QStringLiteral(".PP\n") + escape(description.join(u' ')) + u'\n';
    return out;
}

}   // namespace

int main(int argc, char *argv[])
{
    if (argc < 7) {
        std::fprintf(stderr, "usage: clickscope-manpage OUTPUT NAME VERSION SUMMARY SEE_ALSO EXE [SUBCOMMAND...]\n");
        return 2;
    }
    const QString output = QString::fromLocal8Bit(argv[1]);
    const QString name = QString::fromLocal8Bit(argv[2]);
    const QString version = QString::fromLocal8Bit(argv[3]);
    const QString summary = QString::fromLocal8Bit(argv[4]);
    const QString seeAlso = QString::fromLocal8Bit(argv[5]);
    const QString exe = QString::fromLocal8Bit(argv[6]);

    QString mainHelp;
    if (!runHelp(exe, {}, &mainHelp))
        return 1;
    QString synopsis;
    QString body = convert(mainHelp, {}, &synopsis);
    for (int i = 7; i < argc; ++i) {
        const QString sub = QString::fromLocal8Bit(argv[i]);
        QString help;
        if (!runHelp(exe, {sub}, &help))
            return 1;
        body += convert(help, name + u' ' + sub, &synopsis);
    }

    QString page;
    page += QStringLiteral(".\\\" Generated by clickscope-manpage from %1 --help; do not edit.\n").arg(name);
    page += QStringLiteral(".TH %1 1 \"\" \"Clickscope %2\" \"User Commands\"\n").arg(name.toUpper(), version);
    page += QStringLiteral(".SH NAME\n%1 \\- %2\n").arg(escape(name), escape(summary));
    page += QStringLiteral(".SH SYNOPSIS\n") + synopsis;
    page += QStringLiteral(".SH DESCRIPTION\n") + body;
    if (!seeAlso.isEmpty())
        page += QStringLiteral(".SH \"SEE ALSO\"\n") + escape(seeAlso) + u'\n';
    QFile file(output);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) || file.write(page.toUtf8()) < 0) {
        std::fprintf(stderr, "clickscope-manpage: cannot write %s\n", qPrintable(output));
        return 1;
    }
    return 0;
}
