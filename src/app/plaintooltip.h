// SPDX-License-Identifier: MIT
#pragma once

#include <QString>
#include <QTextDocument>

namespace Clickscope {

// `text` as a tooltip shows it, character for character. Qt renders a tooltip that looks like
// HTML as rich text, and what a server says (a Content-Type, a WWW-Authenticate challenge, an
// error) must never be markup.
inline QString plainToolTip(const QString &text)
{
    return text.isEmpty() ? QString() : Qt::convertFromPlainText(text, Qt::WhiteSpaceNormal);
}

}   // namespace Clickscope
