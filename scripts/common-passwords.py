#!/usr/bin/env python3
"""Builds assets/passwords/common.txt: the common passwords the core refuses (accounts::policy).

The list is written from widely published knowledge of what people choose (the "most common
passwords" rankings that appear every year, keyboard walks, number runs) plus what is typical at a
Vietnamese office ("matkhau", "anhyeuem", lucky numbers 68/86/88, the app's own name "motcua"),
and their usual decorations (years, 123, @123, !). It is not a copy of any published file. One entry
per line, lower case, no accents (the core folds what it checks the same way), sorted, no duplicates.

Run from the repository root: python3 scripts/common-passwords.py
"""

import itertools
from pathlib import Path

# Passwords that top the yearly public rankings, as plain words or strings.
TOP = """
123456 password 12345678 qwerty 123456789 12345 1234 111111 1234567 dragon 123123 baseball abc123
football monkey letmein 696969 shadow master 666666 qwertyuiop 123321 mustang 1234567890 michael
654321 superman 1qaz2wsx 7777777 121212 000000 qazwsx 123qwe killer trustno1 jordan jennifer
zxcvbnm asdfgh hunter buster soccer harley batman andrew tigger sunshine iloveyou 2000 charlie
robert thomas hockey ranger daniel starwars klaster 112233 george computer michelle jessica pepper
1111 zxcvbn 555555 11111111 131313 freedom 777777 pass maggie 159753 aaaaaa ginger princess joshua
cheese amanda summer love ashley nicole chelsea biteme matthew access yankees 987654321 dallas
austin thunder taylor matrix minecraft william corvette hello martin heather secret merlin diamond
1234qwer gfhjkm hammer silver 222222 88888888 anthony justin test bailey q1w2e3r4t5 patrick
internet scooter orange 11111 golfer cookie richard samantha bigdog guitar jackson whatever
mickey chicken sparky snoopy maverick phoenix camaro peanut morgan welcome falcon cowboy ferrari
samsung andrea smokey steelers joseph mercedes dakota arsenal eagles melissa boomer booboo
spider nascar monster tigers yellow xxxxxx 123123123 gateway marina diablo bulldog qwer1234
compaq purple hardcore banana junior hannah 123654 porsche lakers iceman money cowboys 987654
london tennis 999999 ncc1701 coffee scooby 0000 miller boston q1w2e3r4 brandon yamaha chester
mother forever johnny edward 333333 oliver redsox player nikita knight fender barney midnight
please brandy chicago badboy slayer rangers charles angel flower bigdaddy rabbit wizard jasper
enter rachel chris steven winner adidas victoria natasha 1q2w3e4r jasmine winter prince panties
marine ghbdtn fishing cocacola casper james 232323 raiders 888888 marlboro gandalf asdfasdf
crystal 87654321 12344321 golden 8675309 panther lauren angela thx1138 angels madison winston
shannon mike toyota blowme jordan23 canada sophie apples dick tiger razz 123abc pokemon qazxsw
55555 qwaszx muffin johnson murphy cooper jonathan liverpool david danielle 159357 jackie 1990
123456a 789456 turtle horny abcd1234 scorpion qazwsxedc 101010 butter carlos password1 dennis
slipknot qwerty123 booger asdf 1991 black startrek 12341234 cameron newyork rainbow nathan john
1992 rocket viking redskins asdfghjkl 1212 sierra peaches gemini doctor wilson sandra helpme
qwertyui victor florida dolphin pookie captain tucker blue liverpool1 theman bandit dolphins
maddog packers jaguar lovers nicholas united tiffany maxwell zzzzzz nirvana jeremy monica
elephant giants jackass hotdog rosebud success debbie mountain 444444 xxxxxxxx warrior 1q2w3e4r5t
q1w2e3 123456q albert metallic lucky azerty 7777 alex bond007 alexis 1111111 samson 5150 willie
scorpio bonnie gators benjamin voodoo driver dexter 2112 jason calvin freddy 212121 creative
12345a sydney rush2112 1989 asdfghjk red123 bubba 4815162342 passw0rd trouble gunner happy gordon
legend jessie stella qwert eminem arthur apple nissan bullshit bear america 1qazxsw2 nothing
parker 4444 rebecca qweqwe garfield 01012011 beavis 69696969 jack asdasd december 2222 102030
252525 11223344 magic apollo skippy 315475 girls kitten golf copper braves shelby godzilla beaver
fred tomcat august buddy airborne 1993 1988 lifehack qqqqqq brooklyn animal platinum phantom
online xavier darkness blink182 power fish green 789456123 voyager police travis 12qwaszx heaven
snowball lover abcdef 00000 pakistan 007007 walter playboy blazer cricket sniper donkey willow
loveme saturn therock redwings bigboy pumpkin trinity williams nintendo digital destiny topgun
runner marvin guinness chance bubbles testing fire november minnie mypass password123 admin
admin123 administrator root toor changeme default guest user login welcome1 letmein1 abc12345
iloveu iloveyou1 sunshine1 princess1 football1 monkey1 charlie1 aa123456 qwe123 1q2w3e 123qweasd
1qaz2wsx3edc zaq12wsx zaq1zaq1 !qaz2wsx qwerty1 qwerty12 qwertyu asdf1234 zxcvbnm1 password12
p@ssw0rd p@ssword pa55word passwort motdepasse contrasena senha parola haslo wachtwoord salasana
adminadmin administrator1 superuser system manager office secret123 welcome123 test123 test1234
qwerty1234 1234abcd abcd123 a1b2c3 a1b2c3d4 1a2b3c 147258 147258369 147852369 159357456 963852741
741852963 951753 753951 852456 456789 135790 246810 13579 02468 1234512345 1122334455 0987654321
0123456789 9876543210 5201314 1314520 woaini 520520 woaini1314 888888888 666666666 168168 518518
iloveyou123 lovelove babygirl baby123 sweetheart angel123 jesus christ god blessed
""".split()

# Words people build passwords on (international, then Vietnamese, without accents).
WORDS = """
password passw0rd pass admin welcome qwerty iloveyou love monkey dragon football baseball letmein
sunshine princess master shadow superman batman trustno1 computer internet secret freedom summer
winter spring autumn hello flower angel family friend friends happy lucky money cheese chocolate
banana orange apple google facebook samsung iphone nokia windows microsoft linux ubuntu server
office manager system user guest login test default changeme
matkhau matkhaumoi matkhaucu matkhau1 mk123 anhyeuem emyeuanh yeuem yeuanh yeuemnhieu anhyeu
emyeu iloveu yeuthuong thuongem thuonganh nhoem nhoanh motcua motcuamotcua bophanmotcua
tiepnhan tiepnhanhoso hoso hosomotcua dichvucong dvc congdichvu congchuc vienchuc canbo
quantri quantrivien quanly ketoan vanthu vanphong ubnd ubndxa ubndphuong ubndquan ubndhuyen
uyban hdnd phuong xa quan huyen tinh thanhpho thanhphohanoi hanoi haiphong danang saigon
hochiminh tphcm hcm cantho hue nhatrang vungtau dalat quangninh namdinh thaibinh nghean
hatinh thanhhoa binhduong dongnai vietnam vietnamvodich vn vnpt viettel mobifone vinaphone
fpt bkav zalo tiktok youtube conan doremon nobita xuka chaien pikachu hellokitty
tuoitre thanhnien nhandan congan bodoi chiensi anhhung tuquoc dulich
""".split()

# Family and given names: only the commonest decorations.
NAMES = """
nguyen tran le pham hoang huynh phan vu vo dang bui do ho ngo duong ly dinh trinh mai cao
lam quach luong tang vuong lai ta chu kieu han thai
anh linh huong lan hung dung tuan minh hoa mai thu trang ngoc thao hai long nam quang
thanh thuy hang hien ha phuong nga van yen nhung hanh huyen my tam tu khanh duc hieu
trung thang son phong cuong vinh toan binh hoang duy dat huy kien tung hau loc phuc tai
quynh giang chi vy nhi uyen nhi tram diem dao oanh kim xuan hong cuc lien hue loan
tien tin trong nghia hoan khoa nguyen vu vuong bao an thinh
""".split()

# How people decorate a name.
NAME_SUFFIXES = ["", "1", "12", "123", "1234", "12345", "123456", "68", "86", "88", "99", "@123", "123@"]

# How people decorate a word.
SUFFIXES = """
1 12 123 1234 12345 123456 123456789 01 11 111 68 86 88 99 ! @ @123 123! 123@ 123123
""".split()
YEARS = [str(y) for y in range(1975, 2031)]
PREFIXES = ["", "1", "123", "my", "i", "the", "@"]

# Number and keyboard runs, and short blocks repeated.
RUNS = set()
for digits in ["1234567890", "0123456789", "9876543210", "0987654321"]:
    for n in range(6, len(digits) + 1):
        RUNS.add(digits[:n])
for block in ["12", "123", "1234", "12345", "abc", "qwe", "asd", "zxc", "69", "68", "86", "88",
              "520", "147", "258", "369", "159", "357", "789", "456", "321", "101", "2010", "1010"]:
    for reps in range(2, 6):
        RUNS.add(block * reps)
for row in ["qwertyuiop", "asdfghjkl", "zxcvbnm", "1qaz2wsx3edc4rfv", "qazwsxedcrfv",
            "1q2w3e4r5t6y7u8i9o0p", "q1w2e3r4t5y6u7i8o9p0", "zaq1xsw2cde3", "!qaz@wsx#edc"]:
    for n in range(6, len(row) + 1):
        RUNS.add(row[:n])
# dates people use: ddmmyyyy and yyyymmdd for the years people were born in
for y in range(1960, 2011, 1):
    for d, m in [(1, 1), (10, 10), (11, 11), (12, 12), (20, 11), (2, 9), (30, 4), (19, 5), (8, 3)]:
        RUNS.add(f"{d:02d}{m:02d}{y}")
        RUNS.add(f"{y}{m:02d}{d:02d}")


# The words most often followed by a year.
YEAR_WORDS = """
password admin welcome qwerty iloveyou love matkhau anhyeuem emyeuanh yeuem motcua tiepnhan hoso
quantri canbo congchuc ubnd hanoi saigon vietnam hochiminh
""".split()


def variants(word):
    yield word
    for s in SUFFIXES:
        yield word + s
    if word in YEAR_WORDS:
        for y in YEARS:
            yield word + y
            yield word + "@" + y
    for p in PREFIXES:
        if p:
            yield p + word
    yield word + word
    yield word.capitalize()  # folded to lower case below


def main():
    out = set(w.lower() for w in TOP)
    for w in WORDS:
        for v in variants(w):
            out.add(v.lower())
    for n in NAMES:
        for s in NAME_SUFFIXES:
            out.add(n + s)
    for words in itertools.permutations(["anh", "em", "yeu", "nhieu", "lam"], 3):
        out.add("".join(words))
        out.add("".join(words) + "123")
    out |= RUNS
    # very short entries are refused by the length rule anyway; keep 4+ so the list stays useful if
    # the minimum changes
    entries = sorted(e for e in out if len(e) >= 4 and " " not in e)
    path = Path(__file__).resolve().parent.parent / "assets" / "passwords" / "common.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(entries) + "\n", encoding="utf-8")
    print(f"{len(entries)} entries -> {path}")


if __name__ == "__main__":
    main()
