// SPDX-License-Identifier: MIT
#pragma once

#include <QObject>
#include <QPalette>

#include <optional>

namespace Clickscope {

// Light, dark, or whatever the desktop gives (the palette the application started with). Widgets
// take the application palette; charts restyle themselves on the PaletteChange that follows.
class ThemeSwitcher : public QObject
{
    Q_OBJECT
public:
    enum class Theme { System, Light, Dark };

    explicit ThemeSwitcher(QObject *parent = nullptr);

    void setTheme(Theme theme);
    Theme theme() const { return m_theme; }

    static QString name(Theme theme);   // "system", "light", "dark"
    static std::optional<Theme> fromName(const QString &name);

    static QPalette lightPalette();
    static QPalette darkPalette();

private:
    QPalette m_system;
    Theme m_theme = Theme::System;
};

}   // namespace Clickscope
