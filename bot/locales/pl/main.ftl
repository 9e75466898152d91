## Polish (default). Plain, short, friendly sentences; HTML tags <b>, <i> are allowed.

welcome-choose-language = Dzień dobry! To jest bot Klubu Integracji Społecznej (KIS) przy MOPS Wejherowo.
    Wybierz język:
choose-language = Wybierz język:
language-changed = Gotowe. Język: { $language }.
consent-text = <b>Zanim zaczniemy — Twoje dane</b>
    Zapiszemy: Twoje imię, numer Telegrama, wybrany język i — jeśli zechcesz — numer telefonu. Później także Twoje zapisy na zajęcia i konsultacje.
    Po co: żeby zapisywać Cię na zajęcia KIS i przypominać o nich.
    Kto to widzi: tylko pracownicy MOPS/KIS, i tylko to, czego potrzebują do swojej pracy.
    Usunięcie: w każdej chwili w „Moje dane” (/mydata) → „Usuń moje dane”.
    Czy się zgadzasz?
consent-declined = Rozumiemy. Nic nie zapisaliśmy. Jeśli zmienisz zdanie, napisz /start.
consent-declined-registered = Jesteś już zarejestrowany(-a) w klubie i Twoje dane są zapisane — nic się nie zmieniło. Jeśli chcesz je usunąć: /mydata → „🗑 Usuń moje dane”.
consent-declined-kept = Twoja wcześniejsza zgoda i Twoje dane są zapisane — nic się nie zmieniło. Jeśli chcesz je usunąć, zadzwoń do koordynatora: 58 677 79 87 (pon.–pt. 8:00–10:00).
consent-thanks = Dziękujemy za zgodę.
ask-name = Jak masz na imię? Napisz imię i nazwisko.
ask-phone = Czy podasz numer telefonu? Pracownik klubu może wtedy do Ciebie zadzwonić. To nie jest obowiązkowe.
    Naciśnij przycisk poniżej.
name-invalid = Nie rozumiem tego imienia. Napisz samo imię i nazwisko, np. Anna Kowalska.
phone-invalid = To nie wygląda na numer telefonu. Naciśnij „Udostępnij mój numer” albo „Pomiń”.
role-invalid = Nieznana rola.
contact-not-own = Możesz udostępnić tylko swój własny numer. Naciśnij przycisk poniżej.
contact-not-expected = Dziękujemy, ale teraz nie potrzebujemy numeru telefonu.
invite-accepted = Zaproszenie przyjęte. Witaj, { $name }!
invite-invalid = Ten link z zaproszeniem jest nieważny (został już użyty albo wygasł). Możesz zarejestrować się sam(a) — pracownik klubu potwierdzi rejestrację.
registration-pending = Dziękujemy! Pracownik klubu sprawdzi Twoje zgłoszenie. Napiszemy do Ciebie, gdy je potwierdzi.
registration-active = Gotowe, { $name }! Jesteś zapisany(-a) w klubie. Wybierz, co chcesz zrobić:
registration-approved = Dobra wiadomość: Twoja rejestracja w KIS została potwierdzona! Wybierz, co chcesz zrobić:
registration-rejected = Niestety, nie możemy potwierdzić Twojej rejestracji. Jeśli masz pytania, zadzwoń: 58 677 79 87 (pon.–pt. 8:00–10:00). Twoje dane zostały usunięte.
account-inactive = Twoje konto w bocie jest nieaktywne. Zadzwoń do koordynatora: 58 677 79 87 (pon.–pt. 8:00–10:00).
please-start = Dzień dobry! Aby zacząć, napisz /start.
main-menu-greeting = Witaj, { $name }! Wybierz, co chcesz zrobić:
menu-hint = Wybierz z menu poniżej:
not-understood = Nie zrozumiałem. Wybierz przycisk z menu poniżej.
only-text = Rozumiem tylko przyciski i krótkie wiadomości tekstowe. Wybierz przycisk z menu.
unknown-command = Nie znam tego polecenia. Napisz /menu, aby zobaczyć, co mogę zrobić.
button-stale = Ten przycisk jest już nieaktualny. Napisz /menu.
error-generic = Przepraszamy, coś poszło nie tak po naszej stronie. Spróbuj ponownie za chwilę. Jeśli to się powtarza, zadzwoń: 58 677 79 87.
intake-held = Mamy chwilową awarię. Zajmiemy się Twoją wiadomością, gdy tylko minie — nie musisz jej powtarzać.
cancelled = Anulowano.

menu-mydata = 👤 Moje dane
menu-language = 🌐 Język
menu-about = ℹ️ O klubie i kontakt
menu-staff = 🧰 Menu pracownika

about-contact = <b>Klub Integracji Społecznej (KIS) przy MOPS Wejherowo</b>
    Pomagamy osobom, którym jest trudniej: warsztaty, konsultacje z psychologiem i prawnikiem, doradztwo zawodowe, grupy wsparcia, opieka nad dziećmi w czasie zajęć.
    Udział zaczyna się od kontraktu socjalnego z pracownikiem socjalnym.
    <b>Kontakt:</b> Koordynator ds. Pomocy Instytucjonalnej, MOPS Wejherowo, parter, pokój 11, poniedziałek–piątek 8:00–10:00.
    Telefon: 58 677 79 87

mydata-summary = <b>Twoje dane zapisane w bocie</b>
    Imię i nazwisko: { $name }
    Telefon: { $phone }
    Język: { $language }
    Numer Telegrama: { $telegram_id }
    Rola: { $role }
    Status: { $status }
    Sposób rejestracji: { $source }
    Zarejestrowano: { $registered }
    Zgoda udzielona: { $consent }
btn-delete-data = 🗑 Usuń moje dane
delete-confirm = Na pewno? Usuniemy Twoje imię, telefon i numer Telegrama. Zostaną tylko anonimowe liczby do sprawozdań. Tego nie da się cofnąć.
btn-delete-confirm = Tak, usuń wszystko
btn-delete-keep = Nie, zostaw
delete-kept = W porządku, nic nie zmieniliśmy.
delete-done = Twoje dane zostały usunięte.
delete-goodbye = Do widzenia! Jeśli zechcesz wrócić, napisz /start.
delete-staff-refused = Dane pracownika usuwa administrator.

status-onboarding = w trakcie rejestracji
status-pending = czeka na potwierdzenie
status-active = aktywny
status-deactivated = nieaktywny
status-anonymised = usunięty
role-participant = uczestnik
role-admin = administrator
role-coordinator = koordynator
role-specialist = specjalista
role-childcare_partner = opieka nad dziećmi (partner)
source-invite = zaproszenie od pracownika
source-self = samodzielna rejestracja
source-staff = dodany jako pracownik

btn-consent-agree = ✅ Zgadzam się
btn-consent-decline = ✖️ Nie zgadzam się
btn-change-language = 🌐 Inny język
btn-share-phone = 📱 Udostępnij mój numer
btn-skip-phone = Pomiń
btn-cancel = Anuluj
btn-approve = ✅ Zatwierdź
btn-reject = ❌ Odrzuć
btn-staff-pending = { $count ->
    [0] Zgłoszenia do zatwierdzenia (brak)
    [one] { $count } zgłoszenie do zatwierdzenia
    [few] { $count } zgłoszenia do zatwierdzenia
   *[many] { $count } zgłoszeń do zatwierdzenia
}
btn-staff-invite = ✉️ Utwórz link z zaproszeniem

staff-only = Ta funkcja jest tylko dla pracowników klubu.
staff-menu-title = <b>Menu pracownika</b>
staff-no-pending = Nie ma zgłoszeń czekających na decyzję.
staff-new-registration = <b>Nowa rejestracja</b>
    Imię i nazwisko: { $name }
    Telefon: { $phone }
    Zatwierdzić?
staff-pending-card = <b>Zgłoszenie</b>
    Imię i nazwisko: { $name }
    Telefon: { $phone }
    Zarejestrowano: { $registered }
staff-approved = ✅ Zatwierdzono. Osoba dostała wiadomość.
staff-rejected = ❌ Odrzucono. Osoba dostała wiadomość, jej dane usunięto.
staff-already-decided = To zgłoszenie zostało już rozpatrzone.
staff-invite-ask-name = Napisz imię i nazwisko osoby (jak w kontrakcie socjalnym).
staff-invite-created = Link z zaproszeniem dla: <b>{ $name }</b>
    { $link }
    Przekaż go tej osobie. Działa jeden raz, do { $expires }.

cmd-start = Zacznij od początku
cmd-menu = Menu główne
cmd-mydata = Moje dane
cmd-language = Zmień język
cmd-help = O klubie i kontakt
cmd-staff = Menu pracownika
cmd-pending = Zgłoszenia do zatwierdzenia
cmd-invite = Utwórz link z zaproszeniem

mydata-bookings-title = <b>Zapisy na zajęcia:</b>
mydata-no-bookings = brak
mydata-enrollment-confirmed = zapisany(-a)
mydata-enrollment-waiting = lista rezerwowa
mydata-enrollment-offered = propozycja miejsca
mydata-enrollment-attended = obecność
mydata-enrollment-absent = nieobecność
mydata-enrollment-unmarked = obecność niezaznaczona
