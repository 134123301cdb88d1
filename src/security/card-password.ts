import crypto from 'node:crypto';

// Short words a young reader knows and can spell, none a look-alike of another or unkind when paired.
const WORDS = `acorn amber anchor apple arrow aspen badge bagel bamboo banjo basil beach beaver berry bison blanket
blossom bluebird bonus branch bread breeze brick bridge brook bubble bucket bunny butter button cabin cactus
camel candle canoe canyon carrot castle cedar cello cherry chess chimney cider cinnamon circle cliff clover
cloud cobalt coconut comet compass cookie copper coral cotton cougar cowboy coyote crayon cricket crystal
cupcake daisy dancer delta desert diamond dingo dolphin donut dragon drum eagle easel echo elbow ember
falcon feather fern ferry fiddle finch flame flute forest fossil fountain fox galaxy garden garnet gecko
ginger giraffe glacier globe goose grape gravel guitar hammock harbor harp hazel hedgehog helmet heron
hickory honey horizon igloo island ivory jacket jaguar jelly jewel jungle kayak kettle kitten kiwi koala
ladder lagoon lantern lemon lilac lily lime llama lobster locket lotus magnet mango maple marble meadow
melon meteor mint mitten moose mosaic muffin nectar nest noodle nutmeg oak oasis ocean olive onion orbit
orchid otter owl paddle panda parrot pasta peach peanut pebble pelican pencil pepper piano pickle pillow
pine planet plum pony popcorn prairie pretzel puffin pumpkin puzzle quartz quill rabbit raccoon radar
rainbow raven reef ribbon river robin rocket ruby saddle salmon sandal sapphire scarf seal shell sierra
silver sketch sled slipper snail sparrow spinach sponge spruce squash squirrel star summit sunset swan
tiger toast tomato topaz torch toucan tractor tulip tundra turtle umbrella valley velvet violet violin
waffle walnut walrus whale whistle willow window wizard wombat yogurt zebra zigzag`.split(/\s+/);

/**
 * A first-use password for a printed login card: two words and four digits ("otter-maple-4821"),
 * typeable by a child and read aloud without spelling. About 30 bits: enough for a password that
 * sign-in throttling guards and that must be replaced at the first sign-in.
 */
export function cardPassword(): string {
  const pick = () => WORDS[crypto.randomInt(WORDS.length)]!;
  let second = pick();
  const first = pick();
  while (second === first) second = pick();
  return `${first}-${second}-${String(crypto.randomInt(10_000)).padStart(4, '0')}`;
}
