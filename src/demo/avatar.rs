//! Generated portraits for demo instructors: a soft two-tone background and a head-and-
//! shoulders silhouette, colours drawn from the seed, encoded at the photo sizes.

use image::codecs::jpeg::JpegEncoder;
use image::imageops::FilterType;
use image::{Rgb, RgbImage};

use super::random::Random;
use crate::instructors::media::PHOTO_SIZES;

const BACKGROUNDS: [[u8; 3]; 8] = [
    [224, 231, 255],
    [209, 250, 229],
    [254, 243, 199],
    [252, 231, 243],
    [219, 234, 254],
    [237, 233, 254],
    [255, 237, 213],
    [204, 251, 241],
];
const SKIN: [[u8; 3]; 6] = [
    [255, 219, 172],
    [241, 194, 125],
    [224, 172, 105],
    [198, 134, 66],
    [141, 85, 36],
    [92, 56, 30],
];
const HAIR: [[u8; 3]; 6] = [
    [40, 30, 25],
    [90, 56, 37],
    [160, 110, 60],
    [220, 190, 120],
    [120, 120, 125],
    [20, 20, 20],
];
const SHIRTS: [[u8; 3]; 7] = [
    [59, 53, 176],
    [14, 116, 144],
    [190, 65, 60],
    [34, 120, 80],
    [80, 80, 96],
    [176, 92, 30],
    [120, 50, 140],
];

fn mix(a: [u8; 3], b: [u8; 3], t: f32) -> Rgb<u8> {
    let channel = |i: usize| (f32::from(a[i]) * (1.0 - t) + f32::from(b[i]) * t) as u8;
    Rgb([channel(0), channel(1), channel(2)])
}

/// JPEG bytes at each photo size.
pub fn portrait(rng: &mut Random) -> Vec<(u32, Vec<u8>)> {
    const SIDE: u32 = 400;
    let top = *rng.pick(&BACKGROUNDS);
    let bottom = *rng.pick(&BACKGROUNDS);
    let skin = *rng.pick(&SKIN);
    let hair = *rng.pick(&HAIR);
    let shirt = *rng.pick(&SHIRTS);
    let head_r = rng.between(62, 78) as f32;
    let long_hair = rng.chance(45);
    let (cx, cy) = (200.0_f32 + rng.between(-12, 12) as f32, 170.0_f32);
    let mut image = RgbImage::new(SIDE, SIDE);
    for (x, y, pixel) in image.enumerate_pixels_mut() {
        let (fx, fy) = (x as f32, y as f32);
        let mut color = mix(top, bottom, fy / SIDE as f32);
        // Shoulders: the top half of a wide ellipse below the head.
        let (sx, sy) = ((fx - cx) / 150.0, (fy - 400.0) / 120.0);
        if sx * sx + sy * sy <= 1.0 {
            color = Rgb(shirt);
        }
        let (dx, dy) = (fx - cx, fy - cy);
        let d = (dx * dx + dy * dy).sqrt();
        if long_hair && d <= head_r + 14.0 && fy > cy - head_r && fy < cy + head_r * 1.5 {
            color = Rgb(hair);
        }
        if d <= head_r {
            color = if fy < cy - head_r * 0.45 {
                Rgb(hair)
            } else {
                Rgb(skin)
            };
        }
        *pixel = color;
    }
    PHOTO_SIZES
        .iter()
        .map(|&side| {
            let sized = if side == SIDE {
                image.clone()
            } else {
                image::imageops::resize(&image, side, side, FilterType::Triangle)
            };
            let mut out = Vec::new();
            // Encoding our own in-memory image cannot fail; an empty file would show as no photo.
            let _ = JpegEncoder::new_with_quality(&mut out, 82).encode_image(&sized);
            (side, out)
        })
        .collect()
}
