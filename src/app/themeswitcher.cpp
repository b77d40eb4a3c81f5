// SPDX-License-Identifier: MIT
#include "app/themeswitcher.h"

#include <QApplication>

namespace Clickscope {

ThemeSwitcher::ThemeSwitcher(QObject *parent) : QObject(parent), m_system(QApplication::palette()) {}

QString ThemeSwitcher::name(Theme theme)
{
    switch (theme) {
    case Theme::Light:
        return QStringLiteral("light");
    case Theme::Dark:
        return QStringLiteral("dark");
    case Theme::System:
        break;
    }
    return QStringLiteral("system");
}

std::optional<ThemeSwitcher::Theme> ThemeSwitcher::fromName(const QString &name)
{
    for (const Theme theme : {Theme::System, Theme::Light, Theme::Dark}) {
        if (name == ThemeSwitcher::name(theme))
            return theme;
    }
    return std::nullopt;
}

void ThemeSwitcher::setTheme(Theme theme)
{
    m_theme = theme;
    switch (theme) {
    case Theme::System:
        QApplication::setPalette(m_system);
        break;
    case Theme::Light:
        QApplication::setPalette(lightPalette());
        break;
    case Theme::Dark:
        QApplication::setPalette(darkPalette());
        break;
    }
}

QPalette ThemeSwitcher::lightPalette()
{
    QPalette p(QColor(0xef, 0xf0, 0xf1), QColor(0xfc, 0xfc, 0xfc));
    p.setColor(QPalette::WindowText, QColor(0x23, 0x26, 0x29));
    p.setColor(QPalette::Text, QColor(0x23, 0x26, 0x29));
    p.setColor(QPalette::ButtonText, QColor(0x23, 0x26, 0x29));
    p.setColor(QPalette::Highlight, QColor(0x2e, 0x86, 0xde));
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::AlternateBase, QColor(0xf3, 0xf5, 0xf7));
    p.setColor(QPalette::PlaceholderText, QColor(0x80, 0x86, 0x8c));
    return p;
}

QPalette ThemeSwitcher::darkPalette()
{
    const QColor window(0x2a, 0x2d, 0x32);
    const QColor base(0x1e, 0x20, 0x24);
    const QColor text(0xe6, 0xe8, 0xeb);
    QPalette p(text, window, window.lighter(140), window.darker(160), window.darker(120), text, text, base, window);
    p.setColor(QPalette::Button, QColor(0x35, 0x39, 0x3f));
    p.setColor(QPalette::Mid, QColor(0x5a, 0x5f, 0x66));
    p.setColor(QPalette::AlternateBase, QColor(0x26, 0x29, 0x2e));
    p.setColor(QPalette::Highlight, QColor(0x2e, 0x86, 0xde));
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::ToolTipBase, base);
    p.setColor(QPalette::ToolTipText, text);
    p.setColor(QPalette::PlaceholderText, QColor(0x8a, 0x90, 0x97));
    p.setColor(QPalette::Link, QColor(0x5d, 0xad, 0xe2));
    p.setColor(QPalette::Disabled, QPalette::Text, QColor(0x7a, 0x7f, 0x86));
    p.setColor(QPalette::Disabled, QPalette::ButtonText, QColor(0x7a, 0x7f, 0x86));
    p.setColor(QPalette::Disabled, QPalette::WindowText, QColor(0x7a, 0x7f, 0x86));
    return p;
}

}   // namespace Clickscope
